# origin.vcl for docker-compose (`--profile cdn`, mounted as /etc/varnish/origin.vcl): the app service
# on the compose network. The tests write their own (loopback only).
backend origin {
    .host = "app";
    .port = "8000";
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}
