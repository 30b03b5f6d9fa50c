// The peer of rig's kubernetes target in scripts/bench.sh: the objects `rig render` writes into kubernetes/
// for the generated project (a Namespace, the network policies, a Deployment and a Service per component),
// field for field, evaluated into one JSON document keyed by rig's file names.
//   jsonnet --tla-code-file spec=DIR/spec.json scripts/bench/kubernetes.jsonnet -o OUT.json
function(spec)
  local ns = spec.namespace;
  local common = { 'app.kubernetes.io/managed-by': 'rig', 'app.kubernetes.io/part-of': spec.name };
  local podSecurity = 'v' + spec.version;
  // In name order, as rig writes them. gen.py sorts them: in jsonnet 0.18, std.sort of 1,000 names takes 0.7 s,
  // and so does indexing a 1,000-field object 1,000 times (the components as a mapping, as in rig.yaml).
  local components = spec.components;
  // rig.yaml's binary units (64MiB) as Kubernetes quantities (64Mi)
  local quantity(size) =
    if std.endsWith(size, 'iB') then std.substr(size, 0, std.length(size) - 1) else size;
  local nameLabel(c) = { 'app.kubernetes.io/name': c.name };
  local podLabels(c) = nameLabel(c) { 'app.kubernetes.io/version': c.version };
  local meta(name) = { name: name, namespace: ns, labels: common };
  local policy(name, spec) = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(name),
    spec: spec,
  };

  local deployment(c) = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: c.name, namespace: ns, labels: podLabels(c) + common },
    spec: {
      replicas: 1,
      selector: { matchLabels: nameLabel(c) },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: podLabels(c) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [{
            name: c.name,
            image: c.image,
            ports: [{ name: 'tcp-' + p, containerPort: p, protocol: 'TCP' } for p in c.ports],
            resources: {
              requests: { memory: quantity(c.memory) },
              limits: { memory: quantity(c.memory) },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };

  local service(c) = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: c.name, namespace: ns, labels: podLabels(c) + common },
    spec: {
      selector: nameLabel(c),
      ports: [{ name: 'tcp-' + p, port: p, targetPort: p, protocol: 'TCP' } for p in c.ports],
    },
  };

  local namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      labels: {
        ['pod-security.kubernetes.io/' + mode]: 'restricted'
        for mode in ['enforce', 'audit', 'warn']
      } + {
        ['pod-security.kubernetes.io/' + mode + '-version']: podSecurity
        for mode in ['enforce', 'audit', 'warn']
      } + common,
    },
  };

  local policies = [
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    }),
  ] + [
    policy('allow-' + c.name + '-ingress', {
      podSelector: { matchLabels: nameLabel(c) },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: p } for p in c.ports] }],
    })
    for c in components
  ];

  {
    'kubernetes/namespace.yaml': [namespace],
    'kubernetes/networkpolicies.yaml': policies,
  } + {
    ['kubernetes/workload-' + c.name + '.yaml']: [deployment(c), service(c)]
    for c in components
  }
