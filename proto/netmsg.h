/*
 * Netceptor messages as Go receptor puts them on a backend: a type byte,
 * then a binary header (data) or Go encoding/json (the rest). Encoders
 * append to a gjbuf; decoders take untrusted bytes and fill a structure
 * the caller releases with the matching _free().
 */
#ifndef RECEPTOR_NETMSG_H
#define RECEPTOR_NETMSG_H

#include <stddef.h>
#include <stdint.h>

#include "gojson.h"

#define NETMSG_DATA		0
#define NETMSG_ROUTE		1
#define NETMSG_SERVICE		2
#define NETMSG_REJECT		3

#define NETMSG_HDRLEN		36	/* data message header */
#define NETMSG_SVCLEN		8	/* service name in that header */
#define NETMSG_MAXHOPS		30
#define NETMSG_MAXLEN		65535	/* what a TCP frame can carry */
#define NETMSG_FRAMEHDR		2

#define NETMSG_CONN_DATAGRAM	0
#define NETMSG_CONN_STREAM	1
#define NETMSG_CONN_STREAMTLS	2

#define NETMSG_PROBLEM_UNKNOWN	"service unknown"
#define NETMSG_PROBLEM_EXPIRED	"message expired"
#define NETMSG_PROBLEM_REJECTED	"blocked by firewall"

/*
 * Go maps and slices may be nil, which marshals as null: a NULL array
 * here. An empty one ({} or []) is a non-NULL array with a count of 0.
 * Map entries are written sorted by key; their keys must be non-NULL and
 * distinct. Decoding sorts them and keeps the last of repeated keys, as
 * Go does.
 * A NULL string encodes as "". Decoded strings never hold a NUL byte: a
 * message with one (\u0000) is refused.
 */
struct netmsg_conn {
	char		*node;
	double		 cost;
};

struct netmsg_route {
	char			*node_id;
	char			*update_id;
	uint64_t		 epoch;
	uint64_t		 sequence;
	struct netmsg_conn	*conns;
	size_t			 nconns;
	char			*forwarding_node;
	uint64_t		 suspected_dup;
};

struct netmsg_tag {
	char		*name;
	char		*value;
};

struct netmsg_workcmd {
	char		*worktype;
	int		 secure;
};

/*
 * A received ad is flooded on as the bytes that came in, as Go does;
 * time keeps the zone offset so it formats back the way Go would.
 */
struct netmsg_svcad {
	char			*node_id;
	char			*service;
	struct gotime		 time;
	uint8_t			 conntype;
	struct netmsg_tag	*tags;
	size_t			 ntags;
	struct netmsg_workcmd	*workcmds;
	size_t			 nworkcmds;
	int			 cancel;
};

/* The JSON payload sent to service "unreach". */
struct netmsg_unreach {
	char		*from_node;
	char		*to_node;
	char		*from_service;
	char		*to_service;
	char		*problem;
};

/* A decoded data message; payload points into the message. */
struct netmsg_data {
	uint8_t		 hops;
	uint64_t	 from_node;	/* node_hash() of the names */
	uint64_t	 to_node;
	char		 from_service[NETMSG_SVCLEN + 1];
	char		 to_service[NETMSG_SVCLEN + 1];
	const uint8_t	*payload;
	size_t		 payloadlen;
};

/* Incremental reader of a TCP stream: u16le length, then the message. */
struct netmsg_framer {
	size_t		 len;
	uint8_t		 buf[NETMSG_FRAMEHDR + NETMSG_MAXLEN];
};

int	 netmsg_route_encode(struct gjbuf *, const struct netmsg_route *);
int	 netmsg_route_decode(const void *, size_t, struct netmsg_route *,
	    const char **);
void	 netmsg_route_free(struct netmsg_route *);

int	 netmsg_svcad_encode(struct gjbuf *, const struct netmsg_svcad *);
int	 netmsg_svcad_decode(const void *, size_t, struct netmsg_svcad *,
	    const char **);
void	 netmsg_svcad_free(struct netmsg_svcad *);

int	 netmsg_unreach_encode(struct gjbuf *, const struct netmsg_unreach *);
int	 netmsg_unreach_decode(const void *, size_t, struct netmsg_unreach *,
	    const char **);
void	 netmsg_unreach_free(struct netmsg_unreach *);

int	 netmsg_reject_encode(struct gjbuf *);

int	 netmsg_data_hdr(uint8_t [NETMSG_HDRLEN], uint8_t, uint64_t,
	    const char *, uint64_t, const char *, const char **);
int	 netmsg_data_decode(const void *, size_t, struct netmsg_data *,
	    const char **);

void	 netmsg_framer_init(struct netmsg_framer *);
size_t	 netmsg_framer_feed(struct netmsg_framer *, const void *, size_t);
int	 netmsg_framer_next(struct netmsg_framer *, const uint8_t **,
	    size_t *, const char **);
int	 netmsg_frame_hdr(uint8_t [NETMSG_FRAMEHDR], size_t, const char **);

#endif
