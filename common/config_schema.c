/*
 * The schema: every action and field Go receptor v1.4.9 accepts, with the
 * help text of its "description" tags.  Parsing, validation, printing,
 * usage, the man page test and the imsg transfer are all driven from here.
 */
#include <string.h>
#include <strings.h>

#include "config.h"

#define R_ALL	(CFGR_PARENT | CFGR_NETD | CFGR_WORKD | CFGR_CTLD)

#define COST_FIELD \
	{ "cost", CFG_FLOAT, 0, "1.0", "Connection cost (weight)", \
	    CFGC_COST }
#define NODECOST_FIELD \
	{ "nodecost", CFG_MAP, CFGF_NUMMAP, NULL, "Per-node costs", \
	    CFGC_NODECOST }
#define ALLOWEDPEERS_FIELD \
	{ "allowedpeers", CFG_LIST, 0, NULL, \
	    "Peer node IDs to allow via this connection", CFGC_NONE }
#define BINDADDR_FIELD \
	{ "bindaddr", CFG_STRING, 0, "0.0.0.0", "Local address to bind to", \
	    CFGC_NONE }
#define REDIAL_FIELD \
	{ "redial", CFG_BOOL, 0, "true", "Keep redialing on lost connection", \
	    CFGC_NONE }
#define WORKTYPE_FIELD \
	{ "worktype", CFG_STRING, CFGF_REQUIRED, NULL, \
	    "Name for this worker type", CFGC_NONE }
#define VERIFYSIG_FIELD \
	{ "verifysignature", CFG_BOOL, 0, "false", \
	    "Verify a signed work submission", CFGC_NONE }
#define MINTLS13_FIELD \
	{ "mintls13", CFG_BOOL, 0, "false", "Set minimum TLS version to 1.3. " \
	    "Otherwise the minimum is 1.2", CFGC_NONE }
#define NOTBEFORE_FIELD \
	{ "notbefore", CFG_STRING, 0, NULL, \
	    "Effective (NotBefore) date/time, in RFC3339 format", CFGC_TIME }
#define NOTAFTER_FIELD \
	{ "notafter", CFG_STRING, 0, NULL, \
	    "Expiration (NotAfter) date/time, in RFC3339 format", CFGC_TIME }
#define COMMONNAME_FIELD \
	{ "commonname", CFG_STRING, CFGF_REQUIRED, NULL, \
	    "Common name to assign to the certificate", CFGC_NONE }
#define REMOTE_FIELDS \
	{ "remotenode", CFG_STRING, CFGF_REQUIRED, NULL, \
	    "Receptor node to connect to", CFGC_NONE }, \
	{ "remoteservice", CFG_STRING, CFGF_REQUIRED, NULL, \
	    "Receptor service name to connect to", CFGC_NONE }
#define SERVICE_FIELD \
	{ "service", CFG_STRING, CFGF_REQUIRED, NULL, \
	    "Receptor service name to bind to", CFGC_NONE }
#define END_FIELDS	{ NULL, 0, 0, NULL, NULL, CFGC_NONE }

static const struct cfg_field node_fields[] = {
	{ "id", CFG_STRING, CFGF_BARE, NULL,
	    "Node ID. Defaults to the local hostname.", CFGC_NODEID },
	{ "datadir", CFG_STRING, 0, "/tmp/receptor",
	    "Directory in which to store node data.", CFGC_NONE },
	{ "firewallrules", CFG_RULES, 0, NULL,
	    "Firewall rules, see documentation for syntax.", CFGC_NONE },
	{ "maxidleconnectiontimeout", CFG_DURATION, 0, NULL,
	    "Maximum duration with no traffic before a backend connection "
	    "is timed out and refreshed.", CFGC_NONE },
	{ "receptorkubesupportreconnect", CFG_STRING, 0, NULL,
	    "Kubernetes log stream reconnection support "
	    "(as RECEPTOR_KUBE_SUPPORT_RECONNECT)", CFGC_NONE },
	{ "receptorkubeclientsetqps", CFG_STRING, 0, NULL,
	    "Kubernetes client queries per second "
	    "(as RECEPTOR_KUBE_CLIENTSET_QPS)", CFGC_NONE },
	{ "receptorkubeclientsetburst", CFG_STRING, 0, NULL,
	    "Kubernetes client burst "
	    "(as RECEPTOR_KUBE_CLIENTSET_BURST)", CFGC_NONE },
	{ "receptorkubeclientsetratelimiter", CFG_STRING, 0, NULL,
	    "Kubernetes client rate limiter "
	    "(as RECEPTOR_KUBE_CLIENTSET_RATE_LIMITER)", CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field local_only_fields[] = {
	{ "local", CFG_BOOL, 0, NULL, "Unused", CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field version_fields[] = {
	END_FIELDS
};

static const struct cfg_field log_level_fields[] = {
	{ "level", CFG_STRING, CFGF_BARE, "error",
	    "Log level: Error, Warning, Info or Debug", CFGC_LOGLEVEL },
	END_FIELDS
};

static const struct cfg_field trace_fields[] = {
	END_FIELDS
};

static const struct cfg_field tls_server_fields[] = {
	{ "name", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Name of this TLS server configuration", CFGC_NONE },
	{ "cert", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Server certificate filename", CFGC_FILE },
	{ "key", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Server private key filename", CFGC_FILE },
	{ "requireclientcert", CFG_BOOL, 0, "false",
	    "Require client certificates", CFGC_NONE },
	{ "clientcas", CFG_STRING, 0, NULL,
	    "Filename of CA bundle to verify client certs with", CFGC_NONE },
	{ "pinnedclientcert", CFG_LIST, 0, NULL,
	    "Pinned fingerprint of required client certificate", CFGC_PINS },
	{ "skipreceptornamescheck", CFG_BOOL, 0, "false",
	    "Skip verifying ReceptorNames OIDs in certificate at startup",
	    CFGC_NONE },
	MINTLS13_FIELD,
	END_FIELDS
};

static const struct cfg_field tls_client_fields[] = {
	{ "name", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Name of this TLS client configuration", CFGC_NONE },
	{ "cert", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Client certificate filename", CFGC_FILE },
	{ "key", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Client private key filename", CFGC_FILE },
	{ "rootcas", CFG_STRING, 0, NULL,
	    "Root CA bundle to use instead of system trust", CFGC_NONE },
	{ "insecureskipverify", CFG_BOOL, 0, "false",
	    "Accept any server cert", CFGC_NONE },
	{ "pinnedservercert", CFG_LIST, 0, NULL,
	    "Pinned fingerprint of required server certificate", CFGC_PINS },
	{ "skipreceptornamescheck", CFG_BOOL, 0, NULL,
	    "if true, skip verifying ReceptorNames OIDs in certificate at "
	    "startup", CFGC_NONE },
	MINTLS13_FIELD,
	END_FIELDS
};

static const struct cfg_field cert_init_fields[] = {
	COMMONNAME_FIELD,
	{ "bits", CFG_INT, CFGF_REQUIRED, NULL,
	    "Bit length of the encryption keys of the certificate",
	    CFGC_BITS },
	NOTBEFORE_FIELD,
	NOTAFTER_FIELD,
	{ "outcert", CFG_STRING, CFGF_REQUIRED, NULL,
	    "File to save the CA certificate to", CFGC_FILE },
	{ "outkey", CFG_STRING, CFGF_REQUIRED, NULL,
	    "File to save the CA private key to", CFGC_FILE },
	END_FIELDS
};

static const struct cfg_field cert_makereq_fields[] = {
	COMMONNAME_FIELD,
	{ "bits", CFG_INT, 0, NULL,
	    "Bit length of the encryption keys of the certificate",
	    CFGC_BITS },
	{ "dnsname", CFG_LIST, 0, NULL,
	    "DNS names to add to the certificate", CFGC_NONE },
	{ "ipaddress", CFG_LIST, 0, NULL,
	    "IP addresses to add to the certificate", CFGC_IPS },
	{ "nodeid", CFG_LIST, 0, NULL,
	    "Receptor node IDs to add to the certificate", CFGC_NONE },
	{ "outreq", CFG_STRING, CFGF_REQUIRED, NULL,
	    "File to save the certificate request to", CFGC_FILE },
	{ "inkey", CFG_STRING, 0, NULL,
	    "Private key to use for the request", CFGC_NONE },
	{ "outkey", CFG_STRING, 0, NULL,
	    "File to save the private key to (new key will be generated)",
	    CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field cert_signreq_fields[] = {
	{ "req", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Certificate Request PEM filename", CFGC_FILE },
	{ "cacert", CFG_STRING, CFGF_REQUIRED, NULL,
	    "CA certificate PEM filename", CFGC_FILE },
	{ "cakey", CFG_STRING, CFGF_REQUIRED, NULL,
	    "CA private key PEM filename", CFGC_FILE },
	NOTBEFORE_FIELD,
	NOTAFTER_FIELD,
	{ "outcert", CFG_STRING, CFGF_REQUIRED, NULL,
	    "File to save the signed certificate to", CFGC_FILE },
	{ "verify", CFG_BOOL, 0, "false",
	    "If true, do not prompt the user for verification", CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field control_service_fields[] = {
	{ "service", CFG_STRING, 0, "control",
	    "Receptor service name to listen on", CFGC_NONE },
	{ "filename", CFG_STRING, 0, NULL,
	    "Specifies the filename of a local Unix socket to bind to the "
	    "service.", CFGC_NONE },
	{ "permissions", CFG_INT, 0, "0600",
	    "Socket file permissions", CFGC_PERM },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS server config for the Receptor listener",
	    CFGC_TLSSERVER },
	{ "tcplisten", CFG_STRING, 0, NULL,
	    "Local TCP port or host:port to bind to the control service",
	    CFGC_TCPLISTEN },
	{ "tcptls", CFG_STRING, 0, NULL,
	    "Name of TLS server config for the TCP listener",
	    CFGC_TLSSERVER },
	END_FIELDS
};

static const struct cfg_field command_service_fields[] = {
	SERVICE_FIELD,
	{ "command", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Command to execute on a connection", CFGC_NONE },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS server config", CFGC_TLSSERVER },
	END_FIELDS
};

static const struct cfg_field ip_router_fields[] = {
	{ "networkname", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Name of this network and service.", CFGC_NONE },
	{ "interface", CFG_STRING, 0, NULL,
	    "Name of the local tun interface", CFGC_NONE },
	{ "localnet", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Local /30 CIDR address", CFGC_CIDR4_30 },
	{ "routes", CFG_STRING, 0, NULL,
	    "Comma separated list of CIDR subnets to advertise", CFGC_CIDRS },
	END_FIELDS
};

static const struct cfg_field tcp_server_fields[] = {
	{ "port", CFG_INT, CFGF_REQUIRED, NULL,
	    "Local TCP port to bind to", CFGC_PORT },
	{ "bindaddr", CFG_STRING, 0, "0.0.0.0",
	    "Address to bind TCP listener to", CFGC_NONE },
	REMOTE_FIELDS,
	{ "tlsserver", CFG_STRING, 0, NULL,
	    "Name of TLS server config for the TCP listener",
	    CFGC_TLSSERVER },
	{ "tlsclient", CFG_STRING, 0, NULL,
	    "Name of TLS client config for the Receptor connection",
	    CFGC_TLSCLIENT },
	END_FIELDS
};

static const struct cfg_field tcp_client_fields[] = {
	SERVICE_FIELD,
	{ "address", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Address for outbound TCP connection", CFGC_HOSTPORT },
	{ "tlsserver", CFG_STRING, 0, NULL,
	    "Name of TLS server config for the Receptor service",
	    CFGC_TLSSERVER },
	{ "tlsclient", CFG_STRING, 0, NULL,
	    "Name of TLS client config for the TCP connection",
	    CFGC_TLSCLIENT },
	END_FIELDS
};

static const struct cfg_field udp_server_fields[] = {
	{ "port", CFG_INT, CFGF_REQUIRED, NULL,
	    "Local UDP port to bind to", CFGC_PORT },
	{ "bindaddr", CFG_STRING, 0, "0.0.0.0",
	    "Address to bind UDP listener to", CFGC_NONE },
	REMOTE_FIELDS,
	END_FIELDS
};

static const struct cfg_field udp_client_fields[] = {
	SERVICE_FIELD,
	{ "address", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Address for outbound UDP connection", CFGC_HOSTPORT },
	END_FIELDS
};

static const struct cfg_field unix_socket_server_fields[] = {
	{ "filename", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Socket filename, which will be overwritten", CFGC_FILE },
	{ "permissions", CFG_INT, 0, "0600",
	    "Socket file permissions", CFGC_PERM },
	REMOTE_FIELDS,
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS client config for the Receptor connection",
	    CFGC_TLSCLIENT },
	END_FIELDS
};

static const struct cfg_field unix_socket_client_fields[] = {
	SERVICE_FIELD,
	{ "filename", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Socket filename, which must already exist", CFGC_FILE },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS server config for the Receptor connection",
	    CFGC_TLSSERVER },
	END_FIELDS
};

static const struct cfg_field tcp_listener_fields[] = {
	BINDADDR_FIELD,
	{ "port", CFG_INT, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "Local TCP port to listen on", CFGC_PORT },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS server config", CFGC_TLSSERVER },
	COST_FIELD,
	NODECOST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field tcp_peer_fields[] = {
	{ "address", CFG_STRING, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "Remote address (Host:Port) to connect to", CFGC_HOSTPORT },
	REDIAL_FIELD,
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS client config", CFGC_TLSCLIENT },
	COST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field udp_listener_fields[] = {
	BINDADDR_FIELD,
	{ "port", CFG_INT, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "Local UDP port to listen on", CFGC_PORT },
	COST_FIELD,
	NODECOST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field udp_peer_fields[] = {
	{ "address", CFG_STRING, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "Host:Port to connect to", CFGC_HOSTPORT },
	REDIAL_FIELD,
	COST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field ws_listener_fields[] = {
	BINDADDR_FIELD,
	{ "port", CFG_INT, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "Local TCP port to run http server on", CFGC_PORT },
	{ "path", CFG_STRING, 0, "/",
	    "URI path to the websocket server", CFGC_URLPATH },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS server config", CFGC_TLSSERVER },
	COST_FIELD,
	NODECOST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field ws_peer_fields[] = {
	{ "address", CFG_STRING, CFGF_REQUIRED | CFGF_BARE, NULL,
	    "URL to connect to", CFGC_WSURL },
	REDIAL_FIELD,
	{ "extraheader", CFG_STRING, 0, NULL,
	    "Sends extra HTTP header on initial connection", CFGC_HEADER },
	{ "tls", CFG_STRING, 0, NULL,
	    "Name of TLS client config", CFGC_TLSCLIENT },
	COST_FIELD,
	ALLOWEDPEERS_FIELD,
	END_FIELDS
};

static const struct cfg_field work_signing_fields[] = {
	{ "privatekey", CFG_STRING, CFGF_BARE, NULL,
	    "Private key to sign work submissions", CFGC_FILE },
	{ "tokenexpiration", CFG_DURATION, 0, NULL,
	    "Expiration of the signed json web token, e.g. 3h or 3h30m",
	    CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field work_verification_fields[] = {
	{ "publickey", CFG_STRING, CFGF_BARE, NULL,
	    "Public key to verify signed work submissions", CFGC_FILE },
	END_FIELDS
};

static const struct cfg_field work_command_fields[] = {
	WORKTYPE_FIELD,
	{ "command", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Command to run to process units of work", CFGC_NONE },
	{ "params", CFG_STRING, 0, NULL,
	    "Command-line parameters", CFGC_NONE },
	{ "allowruntimeparams", CFG_BOOL, 0, "false",
	    "Allow users to add more parameters", CFGC_NONE },
	VERIFYSIG_FIELD,
	END_FIELDS
};

static const struct cfg_field command_runner_fields[] = {
	{ "command", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Command to run", CFGC_NONE },
	{ "params", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Command-line parameters", CFGC_NONE },
	{ "unitdir", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Work unit directory", CFGC_NONE },
	END_FIELDS
};

static const struct cfg_field work_kubernetes_fields[] = {
	WORKTYPE_FIELD,
	{ "namespace", CFG_STRING, 0, NULL,
	    "Kubernetes namespace to create pods in", CFGC_NONE },
	{ "image", CFG_STRING, 0, NULL,
	    "Container image to use for the worker pod", CFGC_NONE },
	{ "command", CFG_STRING, 0, NULL,
	    "Command to run in the container (overrides entrypoint)",
	    CFGC_NONE },
	{ "params", CFG_STRING, 0, NULL,
	    "Command-line parameters to pass to the entrypoint", CFGC_NONE },
	{ "authmethod", CFG_STRING, 0, "incluster",
	    "One of: kubeconfig, incluster", CFGC_AUTHMETHOD },
	{ "kubeconfig", CFG_STRING, 0, NULL,
	    "Kubeconfig filename (for authmethod=kubeconfig)", CFGC_NONE },
	{ "pod", CFG_STRING, 0, NULL,
	    "Pod definition filename, in json or yaml format", CFGC_NONE },
	{ "allowruntimeauth", CFG_BOOL, 0, "false",
	    "Allow passing API parameters at runtime", CFGC_NONE },
	{ "allowruntimecommand", CFG_BOOL, 0, "false",
	    "Allow specifying image & command at runtime", CFGC_NONE },
	{ "allowruntimeparams", CFG_BOOL, 0, "false",
	    "Allow adding command parameters at runtime", CFGC_NONE },
	{ "allowruntimepod", CFG_BOOL, 0, "false",
	    "Allow passing Pod at runtime", CFGC_NONE },
	{ "deletepodonrestart", CFG_BOOL, 0, "true",
	    "On restart, delete the pod if in pending state", CFGC_NONE },
	{ "streammethod", CFG_STRING, 0, "logger",
	    "Method for connecting to worker pods: logger or tcp",
	    CFGC_STREAMMETHOD },
	VERIFYSIG_FIELD,
	END_FIELDS
};

static const struct cfg_field work_python_fields[] = {
	WORKTYPE_FIELD,
	{ "plugin", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Python module name of the worker plugin", CFGC_NONE },
	{ "function", CFG_STRING, CFGF_REQUIRED, NULL,
	    "Receptor-exported function to call", CFGC_NONE },
	{ "config", CFG_MAP, 0, NULL,
	    "Plugin-specific configuration", CFGC_NONE },
	END_FIELDS
};

/* In Go's registration (and --help) order. */
const struct cfg_action cfg_actions[] = {
	{ "node", CFGA_SINGLETON, R_ALL, node_fields,
	    "Specifies the node configuration of this instance" },
	{ "local-only", CFGA_SINGLETON, CFGR_NETD, local_only_fields,
	    "Runs a self-contained node with no backend" },
	{ "version", CFGA_EXCLUSIVE, CFGR_PARENT, version_fields,
	    "Displays the Receptor version." },
	{ "log-level", CFGA_SINGLETON, CFGR_PARENT, log_level_fields,
	    "Specifies the verbosity level for command output" },
	{ "trace", CFGA_SINGLETON, CFGR_PARENT, trace_fields,
	    "Enables packet tracing output" },
	{ "tls-server", 0, CFGR_NETD | CFGR_CTLD | CFGR_PARENT,
	    tls_server_fields, "Define a TLS server configuration" },
	{ "tls-client", 0, CFGR_NETD | CFGR_CTLD | CFGR_WORKD | CFGR_PARENT,
	    tls_client_fields, "Define a TLS client configuration" },
	{ "cert-init", CFGA_EXCLUSIVE, CFGR_PARENT, cert_init_fields,
	    "Initialize PKI CA" },
	{ "cert-makereq", CFGA_EXCLUSIVE, CFGR_PARENT, cert_makereq_fields,
	    "Create certificate request" },
	{ "cert-signreq", CFGA_EXCLUSIVE, CFGR_PARENT, cert_signreq_fields,
	    "Sign request and produce certificate" },
	{ "control-service", 0, CFGR_CTLD | CFGR_NETD | CFGR_PARENT,
	    control_service_fields, "Runs a control service" },
	{ "command-service", 0, CFGR_NETD, command_service_fields,
	    "Run an interactive command via a Receptor service" },
	{ "ip-router", 0, CFGR_NETD, ip_router_fields,
	    "Run an IP router using a tun interface" },
	{ "tcp-server", 0, CFGR_NETD, tcp_server_fields,
	    "Listen for TCP and forward via Receptor" },
	{ "tcp-client", 0, CFGR_NETD, tcp_client_fields,
	    "Listen on a Receptor service and forward via TCP" },
	{ "udp-server", 0, CFGR_NETD, udp_server_fields,
	    "Listen for UDP and forward via Receptor" },
	{ "udp-client", 0, CFGR_NETD, udp_client_fields,
	    "Listen on a Receptor service and forward via UDP" },
	{ "unix-socket-server", 0, CFGR_NETD | CFGR_PARENT,
	    unix_socket_server_fields,
	    "Listen on a Unix socket and forward via Receptor" },
	{ "unix-socket-client", 0, CFGR_NETD, unix_socket_client_fields,
	    "Listen via Receptor and forward to a Unix socket" },
	{ "tcp-listener", 0, CFGR_NETD, tcp_listener_fields,
	    "Run a backend listener on a TCP port" },
	{ "tcp-peer", 0, CFGR_NETD, tcp_peer_fields,
	    "Make an outbound backend connection to a TCP peer" },
	{ "udp-listener", 0, CFGR_NETD, udp_listener_fields,
	    "Run a backend listener on a UDP port" },
	{ "udp-peer", 0, CFGR_NETD, udp_peer_fields,
	    "Make an outbound backend connection to a UDP peer" },
	{ "ws-listener", 0, CFGR_NETD, ws_listener_fields,
	    "Run an http server that accepts websocket connections" },
	{ "ws-peer", 0, CFGR_NETD, ws_peer_fields,
	    "Connect outbound to a websocket peer" },
	{ "work-signing", CFGA_SINGLETON, CFGR_WORKD | CFGR_PARENT,
	    work_signing_fields, "Private key to sign work submissions" },
	{ "work-verification", CFGA_SINGLETON, CFGR_WORKD | CFGR_PARENT,
	    work_verification_fields, "Public key to verify work submissions" },
	{ "work-command", 0, CFGR_WORKD | CFGR_NETD | CFGR_PARENT,
	    work_command_fields, "Run a worker using an external command" },
	{ "command-runner", CFGA_HIDDEN, CFGR_PARENT, command_runner_fields,
	    "Wrapper around a process invocation" },
	{ "work-kubernetes", 0, CFGR_WORKD | CFGR_NETD | CFGR_PARENT,
	    work_kubernetes_fields, "Run a worker using Kubernetes" },
	{ "work-python", 0, CFGR_WORKD | CFGR_NETD | CFGR_PARENT,
	    work_python_fields, "Run a worker using a Python plugin "
	    "(deprecated: not currently used, to be removed)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Files must spell actions in lowercase, like Go; the CLI lowercases. */
const struct cfg_action *
cfg_action_find(const char *name)
{
	const struct cfg_action	*a;

	for (a = cfg_actions; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

const struct cfg_field *
cfg_field_find(const struct cfg_action *a, const char *name)
{
	const struct cfg_field	*f;

	for (f = a->fields; f->name != NULL; f++)
		if (strcasecmp(f->name, name) == 0)
			return f;
	return NULL;
}
