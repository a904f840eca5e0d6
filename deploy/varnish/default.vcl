# Varnish in front of the recognition-status service (README "Behind a CDN").
# Honours the origin's Cache-Control: s-maxage (TTL), stale-while-revalidate (grace
# while the origin is healthy), stale-if-error (further grace while it is sick, as
# its health probe says); and purges by surrogate key: `BAN /` with the keys in
# Surrogate-Key, from the addresses in the `purgers` ACL. Debian's varnish ships no
# xkey vmod, so a purge bans every object whose Surrogate-Key names one of the keys.
# origin.vcl (found on vcl_path) declares the backend `origin`, its probe, and the
# `purgers` ACL: the tests write their own, docker-compose mounts deploy/varnish/origin.vcl.
vcl 4.1;

import std;

include "origin.vcl";

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not a purger"));
        }
        if (req.http.Surrogate-Key !~ "^[A-Za-z0-9_:-]+( [A-Za-z0-9_:-]+)*$") {
            return (synth(400, "Surrogate-Key: space-separated keys of letters, digits, _ : -"));
        }
        # Lurker-friendly (obj.* only): old objects are dropped in the background too.
        ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, " ", "|") + ")(\s|$)");
        return (synth(200, "Banned"));
    }
    if (req.restarts > 0 && req.http.X-Grace-Cap) {
        # The origin is healthy and the object is past stale-while-revalidate: fetch now.
        set req.grace = std.duration(req.http.X-Grace-Cap + "s", 0s);
    }
    unset req.http.X-Grace-Cap;
    # The rest is builtin: GET/HEAD without Authorization or Cookie are looked up.
}

sub vcl_hit {
    if (obj.ttl <= 0s && std.healthy(req.backend_hint) && req.restarts == 0
        && obj.ttl + std.duration(obj.http.X-Swr + "s", 0s) <= 0s) {
        # Stale beyond stale-while-revalidate with a healthy origin: not served; the
        # rest of the grace (stale-if-error) is only for when the origin is sick.
        set req.http.X-Grace-Cap = obj.http.X-Swr;
        return (restart);
    }
}

sub vcl_backend_response {
    # beresp.ttl comes from s-maxage, beresp.grace from stale-while-revalidate.
    set beresp.http.X-Swr = regsub(beresp.grace, "\..*$", "");
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = beresp.grace + std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s);
    }
}

sub vcl_deliver {
    unset resp.http.X-Swr;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
