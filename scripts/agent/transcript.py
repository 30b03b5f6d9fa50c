#!/usr/bin/env python3
"""Prints a real session with `rig mcp`, as the README shows it: what the client sends (->) and what rig answers
(<-), one JSON-RPC message a line, long strings cut to their first and last lines.

    transcript.py --rig BINARY --project DIR --out DIR [--answer accept|decline]

The session: initialize (declaring elicitation), tools/list, plan, render of the saved plan (rig asks the person;
the answer given here), and a check of a path outside the project. Lists longer than four keep their first two
items.
"""
import argparse
import json
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument("--rig", required=True)
parser.add_argument("--project", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--answer", default="accept")
options = parser.parse_args()

process = subprocess.Popen(
    [options.rig, "mcp", "--project", options.project, "--out", options.out],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def cut(value):
    """Long strings keep their first two and last three lines; lists of tools keep their names and hints."""
    if isinstance(value, str):
        lines = value.split("\n")
        return value if len(lines) <= 6 else "\n".join(lines[:2] + ["…"] + lines[-3:])
    if isinstance(value, list):
        return [cut(item) for item in value] if len(value) <= 4 else [cut(item) for item in value[:2]] + ["…"]
    if isinstance(value, dict):
        if "inputSchema" in value:
            return {"name": value["name"], "annotations": value.get("annotations"), "inputSchema": "…"}
        if "components" in value and "output" in value:
            return {"…": "rig plan --format json", "saved_plan": value.get("saved_plan")}
        return {key: cut(item) for key, item in value.items()}
    return value


def show(arrow, message):
    print(arrow, json.dumps(cut(message), ensure_ascii=False))


def send(message):
    show("->", message)
    process.stdin.write(json.dumps(message) + "\n")
    process.stdin.flush()


def receive():
    message = json.loads(process.stdout.readline())
    show("<-", message)
    return message


send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
    "clientInfo": {"name": "transcript", "version": "1"}}})
receive()
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
receive()
send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "plan", "arguments": {}}})
plan = receive()["result"]["structuredContent"]["saved_plan"]["digest"]
send({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "render", "arguments": {"plan": plan}}})
question = receive()
answer = {"action": "accept", "content": {"approve": True}} if options.answer == "accept" else {"action": "decline"}
send({"jsonrpc": "2.0", "id": question["id"], "result": answer})
receive()
send({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "check", "arguments": {"path": "../.."}}})
receive()
process.stdin.close()
process.wait()
