#!/usr/bin/env python3
"""Drives `rig mcp` over stdio with the official MCP Python SDK (PyPI `mcp`), as an agent's client would.

    mcp_client.py --rig BINARY --project DIR --out DIR

DIR (the project folder) holds rig.yaml, a project with a conflict in conflict/rig.yaml, and a captured machine
tree in machine/. Each step checks what the server answered and stops with a message at the first surprise; at the
end, a JSON summary goes to standard output (the calls made, the plan ids, the person's answers), which the Swift
test (Tests/RigCompilerTests/MCPTests.swift) checks against the output folder and the audit log.
"""
import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

parser = argparse.ArgumentParser()
parser.add_argument("--rig", required=True)
parser.add_argument("--project", required=True)
parser.add_argument("--out", required=True)
options = parser.parse_args()
server = StdioServerParameters(command=options.rig, args=["mcp", "--project", options.project, "--out", options.out])

summary = {"calls": 0, "asked": [], "plans": []}


def expect(condition, message):
    if not condition:
        print("mcp_client.py: " + message, file=sys.stderr)
        sys.exit(1)


def text(result):
    return "".join(part.text for part in result.content if part.type == "text")


def folder_files(folder):
    """Every regular file under folder, by relative path, as its SHA-256."""
    files = {}
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, folder)] = hashlib.sha256(handle.read()).hexdigest()
    return files


class Person:
    """The person behind the client: answers each approval from a list, and remembers what they were shown."""

    def __init__(self):
        self.answers = []

    async def __call__(self, context, params):
        summary["asked"].append(params.message)
        answer = self.answers.pop(0)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"approve": True})
        return types.ElicitResult(action=answer)


async def call(session, name, arguments):
    summary["calls"] += 1
    return await session.call_tool(name, arguments)


async def with_a_person():
    person = Person()
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=120, elicitation_callback=person) as session:
            await session.initialize()

            # tools/list: every tool, its schema and its annotations.
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            expect(sorted(tools) == ["check", "explain", "graph", "plan", "probe", "render", "verify"], f"tools: {sorted(tools)}")
            for name, tool in tools.items():
                expect(tool.input_schema.get("type") == "object", f"{name}: no object input schema")
                hints = tool.annotations
                if name == "render":
                    expect(hints.destructive_hint is True and hints.read_only_hint is False, f"render: {hints}")
                    expect(tool.input_schema.get("required") == ["plan"], "render does not require 'plan'")
                else:
                    expect(hints.read_only_hint is True and hints.destructive_hint is False, f"{name}: {hints}")

            # check and plan: the CLI's JSON.
            checked = await call(session, "check", {})
            expect(not checked.is_error and checked.structured_content["valid"] is True, "check: " + text(checked))
            planned = await call(session, "plan", {})
            expect(not planned.is_error, "plan: " + text(planned))
            document = dict(planned.structured_content)
            saved = document.pop("saved_plan")
            cli = subprocess.run(
                [options.rig, "plan", options.project, "--out", options.out, "--format", "json"],
                capture_output=True, text=True)
            expect(cli.returncode == 0, "rig plan: " + cli.stderr)
            expect(document == json.loads(cli.stdout), "plan's JSON differs from 'rig plan --format json'")
            plan = saved["digest"]
            summary["plans"].append(plan)
            expect(os.path.isfile(saved["file"]), "the saved plan is not on disk")

            # render: declined writes nothing; accepted writes exactly the plan; a second time, the plan is stale
            # and nobody is asked.
            person.answers = ["decline", "accept"]
            declined = await call(session, "render", {"plan": plan})
            expect(declined.is_error and declined.structured_content["status"] == "declined", "declined: " + text(declined))
            expect(not os.path.exists(options.out), "a declined render wrote the output folder")
            expect(len(summary["asked"]) == 1 and "Plan: " in summary["asked"][0], f"asked: {summary['asked']}")
            accepted = await call(session, "render", {"plan": plan})
            expect(not accepted.is_error, "accepted: " + text(accepted))
            with open(saved["file"]) as handle:
                changes = json.load(handle)["changes"]
            wanted = {change["path"]: change["new_sha256"] for change in changes if change["new_sha256"]}
            found = folder_files(options.out)
            found.pop(".rig-manifest.json")
            expect(found == wanted, "the output folder is not exactly the plan's files")
            again = await call(session, "render", {"plan": plan})
            expect(again.is_error and "stale-plan" in text(again), "a rendered plan again: " + text(again))
            expect(len(summary["asked"]) == 2, "the person was asked about a stale plan")

            # A plan file edited in the plans folder is refused before anyone is asked.
            replanned = await call(session, "plan", {"targets": ["kernel"]})
            expect(not replanned.is_error, "plan --target kernel: " + text(replanned))
            edited = replanned.structured_content["saved_plan"]
            summary["plans"].append(edited["digest"])
            with open(edited["file"]) as handle:
                content = handle.read()
            with open(edited["file"], "w") as handle:
                handle.write(content.replace('"adopt": false', '"adopt": true'))
            tampered = await call(session, "render", {"plan": edited["digest"]})
            expect(tampered.is_error and "changed after rig saved it" in text(tampered), "tampered: " + text(tampered))
            expect(len(summary["asked"]) == 2, "the person was asked about an edited plan")

            # Read-only tools.
            explained = await call(session, "explain", {"component": "tmux"})
            expect(not explained.is_error and explained.structured_content["component"]["name"] == "tmux", "explain: " + text(explained))
            graph = await call(session, "graph", {})
            expect(not graph.is_error and "flowchart" in text(graph), "graph: " + text(graph))
            probed = await call(session, "probe", {"root": "machine"})
            expect(not probed.is_error and probed.structured_content["cpu"]["online"] == "0-15", "probe: " + text(probed))
            verified = await call(session, "verify", {"root": "machine"})
            expect(not verified.is_error and "package tmux" in text(verified), "verify: " + text(verified))

            # A conflict needs a person.
            conflict = await call(session, "check", {"path": "conflict"})
            escalation = (conflict.structured_content or {}).get("escalation", {})
            expect(conflict.is_error and escalation.get("needs_person") is True, "conflict: " + text(conflict))
            expect(escalation.get("diagnostics") == ["not-enough-cores"], f"conflict: {escalation}")
            expect(escalation.get("help") == ["ask for fewer isolated cores"], f"conflict help: {escalation}")
            expect(text(conflict).startswith("NEEDS A PERSON"), "conflict text: " + text(conflict))
            summary["conflict"] = conflict.structured_content

            # Paths outside the project folder, unknown tools and bad arguments: errors, and the server goes on.
            for arguments in [{"path": ".."}, {"path": "/etc"}, {"path": "machine/../../"}]:
                outside = await call(session, "check", arguments)
                expect(outside.is_error and "outside the project folder" in text(outside), f"{arguments}: " + text(outside))
            outside = await call(session, "probe", {"root": "/"})
            expect(outside.is_error and "outside the project folder" in text(outside), "probe /: " + text(outside))
            bad = await call(session, "render", {"plan": "../../etc/passwd"})
            expect(bad.is_error and "is not a plan id" in text(bad), "render of a path: " + text(bad))
            try:
                await call(session, "format-disk", {})
                expect(False, "an unknown tool was served")
            except Exception as error:
                expect("rig has no tool 'format-disk'" in str(error), f"unknown tool: {error}")
            still = await call(session, "check", {})
            expect(not still.is_error, "the server stopped serving after bad calls")


async def without_a_person():
    """A client that cannot ask its person (no elicitation) can plan but never render."""
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=120) as session:
            await session.initialize()
            planned = await call(session, "plan", {"targets": ["systemd"]})
            expect(not planned.is_error, "plan: " + text(planned))
            plan = planned.structured_content["saved_plan"]["digest"]
            summary["plans"].append(plan)
            refused = await call(session, "render", {"plan": plan})
            expect(refused.is_error and "did not declare elicitation" in text(refused), "no person: " + text(refused))


def raw_protocol():
    """Malformed JSON-RPC on the wire: an error answer each, and the server keeps serving."""
    process = subprocess.Popen(
        [server.command] + server.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(message):
        process.stdin.write(message + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    initialize = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
    }
    expect(send(json.dumps(initialize))["result"]["serverInfo"]["name"] == "rig", "initialize")
    process.stdin.write('{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
    garbage = send("{not json")
    expect(garbage["error"]["code"] == -32700, f"garbage: {garbage}")
    unknown = send('{"jsonrpc": "2.0", "id": 2, "method": "tools/destroy"}')
    expect(unknown["error"]["code"] == -32601, f"unknown method: {unknown}")
    wrong = send('{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "check", "arguments": {"path": 7}}}')
    expect(wrong["result"]["isError"] is True and "'path' is not a string" in wrong["result"]["content"][0]["text"], f"a number for 'path': {wrong}")
    summary["calls"] += 1
    extra = send('{"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "check", "arguments": {"pth": "."}}}')
    expect(extra["result"]["isError"] is True and "did you mean 'path'?" in extra["result"]["content"][0]["text"], f"an unknown argument: {extra}")
    summary["calls"] += 1
    listed = send('{"jsonrpc": "2.0", "id": 4, "method": "tools/list"}')
    expect(len(listed["result"]["tools"]) == 7, f"after bad messages: {listed}")
    process.stdin.close()
    expect(process.wait(timeout=30) == 0, "the server did not exit 0 when its input closed")


asyncio.run(with_a_person())
asyncio.run(without_a_person())
raw_protocol()
print(json.dumps(summary, indent=2))
