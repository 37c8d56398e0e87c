#!/usr/bin/env python3
"""Records where the real nutcracker (twemproxy 0.5.0) places keys, for RouterGoldenTest.

Starts four redis-server processes (one on 11211 when it is free, to pin twemproxy's
"no port in the ketama identity when the port is 11211" rule) and one nutcracker with a pool per
combination of hash x distribution x named/unnamed servers x hash_tag, each pool writing to its own
redis database. Every key is SET through every pool; each redis-server is then asked which keys it
holds. Two extra pools list a dead server with auto_eject_hosts, to record placement over the live
subset after the ring is rebuilt, and one pool has an 83-character server name (so "<name>-<i>" reaches 86
bytes, past the ketama buffer in twemproxy's source). Writes golden-routing.txt next to this script; stops every process
it started.

Usage: python3 generate-golden.py   (needs redis-server and nutcracker on PATH)
"""
import os, shutil, socket, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
HASHES = ["one_at_a_time", "md5", "crc16", "crc32", "crc32a", "fnv1_64", "fnv1a_64", "fnv1_32",
          "fnv1a_32", "hsieh", "murmur", "jenkins"]
DISTS = ["ketama", "modula"]
WEIGHTS = [3, 1, 4, 2]
NAMES = ["alpha", "beta", "gamma-server", "delta"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(p):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
            return True
        except OSError:
            return False


def keys():
    ks = [b"key:%d" % i for i in range(150)]
    ks += [b"user:%d:profile" % i for i in range(30)]
    ks += [("ключ-%d" % i).encode() for i in range(20)]
    ks += [("日本語キー%d" % i).encode() for i in range(10)]
    ks += [("clé-%d" % i).encode() for i in range(10)]
    ks += [bytes([0x80 + i, 0xFF, i]) + b"raw" for i in range(20)]
    ks += [bytes([0xC3, 0x28, 0xA0, 0xA1][: 1 + i % 4]) * (1 + i) for i in range(12)]
    ks += [b"{user%d}:a" % i for i in range(20)] + [b"{user%d}:b" % i for i in range(20)]
    ks += [b"{}abc", b"{}", b"{}{x}", b"a{}b", b"{abc", b"abc}", b"}{x}", b"{{x}}", b"x{y}z{w}",
           b"{", b"}", b"{\xff\x80}tail", b"pre{\xd0\xba}post", "{ключ}-1".encode(), "{ключ}-2".encode()]
    ks += [bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyz"]
    ks += [b"abcdefghijklmnopq"[:n] for n in range(2, 18)]
    ks += [b"x" * 200, bytes(range(1, 256)), b""]
    out, seen = [], set()
    for k in ks:
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out


class Resp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")

    def send(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(parts))

    def read(self):
        line = self.f.readline()
        if not line:
            raise EOFError("connection closed")
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-"):
            return (t == b"+", rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
        raise ValueError(line)

    def call(self, *args):
        self.send(*args)
        return self.read()

    def close(self):
        self.s.close()


def wait_port(port, deadline=10.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d never opened" % port)


def main():
    tmp = tempfile.mkdtemp(prefix="rproxy-golden-")
    procs = []
    try:
        ports = ([11211] if port_free(11211) else []) + []
        while len(ports) < 4:
            p = free_port()
            if p not in ports:
                ports.append(p)
        for p in ports:
            procs.append(subprocess.Popen(
                ["redis-server", "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--databases", "128", "--dir", tmp],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for p in ports:
            wait_port(p)
        dead = free_port()  # nothing listens here

        pools = []  # (label, listen port, db, server lines, live indexes, yaml extras)
        db = 1
        for h in HASHES:
            for d in DISTS:
                for named in (False, True):
                    for tag in (None, "{}"):
                        lines = ["127.0.0.1:%d:%d%s" % (p, w, " " + n if named else "")
                                 for p, w, n in zip(ports, WEIGHTS, NAMES)]
                        pools.append(dict(hash=h, dist=d, named=named, tag=tag, db=db, lines=lines,
                                          live=list(range(4)), eject=False))
                        db += 1
        for d in DISTS:
            lines = ["127.0.0.1:%d:%d" % (p, w) for p, w in zip(ports[:2], WEIGHTS[:2])]
            lines += ["127.0.0.1:%d:2" % dead]
            lines += ["127.0.0.1:%d:%d" % (p, w) for p, w in zip(ports[2:], WEIGHTS[2:])]
            pools.append(dict(hash="fnv1a_64", dist=d, named=False, tag=None, db=db, lines=lines,
                              live=[0, 1, 3, 4], eject=True))
            db += 1

        # twemproxy's source formats "<name>-<i>" into a char[86]; the 0.5.0 binary hashes longer ones whole.
        # (A 300-character name is refused by nutcracker: "configuration file ... syntax is invalid".)
        for long_name in ("n" * 83,):
            pools.append(dict(hash="md5", dist="ketama", named=True, tag=None, db=db, eject=False, live=[0, 1],
                              lines=["127.0.0.1:%d:1 %s" % (ports[0], long_name), "127.0.0.1:%d:1 b" % ports[1]]))
            db += 1

        conf = []
        for i, pl in enumerate(pools):
            pl["listen"] = free_port()
            conf.append("pool%d:" % i)
            conf.append("  listen: 127.0.0.1:%d" % pl["listen"])
            conf.append("  hash: %s" % pl["hash"])
            conf.append("  distribution: %s" % pl["dist"])
            if pl["tag"]:
                conf.append('  hash_tag: "%s"' % pl["tag"])
            conf.append("  redis: true")
            conf.append("  redis_db: %d" % pl["db"])
            if pl["eject"]:
                conf.append("  auto_eject_hosts: true")
                conf.append("  server_failure_limit: 1")
                conf.append("  server_retry_timeout: 600000")
            conf.append("  servers:")
            conf += ["   - %s" % s for s in pl["lines"]]
        conf_path = os.path.join(tmp, "nutcracker.yml")
        with open(conf_path, "w") as fh:
            fh.write("\n".join(conf) + "\n")
        stats = free_port()
        nc = subprocess.Popen(["nutcracker", "-c", conf_path, "-s", str(stats), "-a", "127.0.0.1",
                               "-o", os.path.join(tmp, "nutcracker.log")])
        procs.append(nc)
        for pl in pools:
            wait_port(pl["listen"])

        ks = keys()
        for pl in pools:
            record(pl, ks, ports, dead)
        write(ks, ports, pools)
        print("recorded %d keys x %d pools" % (len(ks), len(pools)))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def trigger_ejection(pl, ports):
    """Writes throwaway keys until one reaches the dead server and fails (which ejects it), then clears the
    pool's database so that keys placed before the ring was rebuilt are not recorded."""
    c = Resp(pl["listen"])
    for i in range(10000):
        if c.call("SET", b"warmup:%d" % i, b"v") != (True, b"OK"):
            break
    else:
        raise RuntimeError("no request reached the dead server")
    c.close()
    for p in ports:
        r = Resp(p)
        assert r.call("SELECT", pl["db"]) == (True, b"OK")
        assert r.call("FLUSHDB") == (True, b"OK")
        r.close()


def record(pl, ks, ports, dead):
    if pl["eject"]:
        trigger_ejection(pl, ports)
    c = Resp(pl["listen"])
    pending = list(ks)
    for k in pending:
        c.send("SET", k, b"v")
    pending = [k for k in pending if c.read() != (True, b"OK")]
    c.close()
    if pending:
        raise RuntimeError("pool %s could not SET %r" % (pl, pending[:3]))
    owner = {}
    line_ports = [int(s.split(":")[1]) for s in pl["lines"]]
    for p in ports:
        r = Resp(p)
        assert r.call("SELECT", pl["db"]) == (True, b"OK")
        for k in r.call("KEYS", "*"):
            if k in owner:
                raise RuntimeError("key %r on two servers" % k)
            owner[k] = line_ports.index(p)
        r.close()
    missing = [k for k in ks if k not in owner]
    if missing or len(owner) != len(ks):
        raise RuntimeError("pool %s: keys missing %r" % (pl, missing[:3]))
    pl["owners"] = "".join(str(owner[k]) for k in ks)


def write(ks, ports, pools):
    out = ["# Where nutcracker 0.5.0 placed each key. Recorded by generate-golden.py: DO NOT EDIT.",
           "# key <hex bytes, the last one empty> (in order; owners strings below index into this list)",
           "# combo <hash> <distribution> <named|unnamed> <tag|-> servers=<host:port:weight[ name]>|... "
           "live=<indexes> owners=<server index per key>"]
    out += ["key %s" % k.hex() for k in ks]
    for pl in pools:
        out.append("combo %s %s %s %s servers=%s live=%s owners=%s" % (
            pl["hash"], pl["dist"], "named" if pl["named"] else "unnamed", pl["tag"] or "-",
            "|".join(pl["lines"]), ",".join(map(str, pl["live"])), pl["owners"]))
    with open(os.path.join(HERE, "golden-routing.txt"), "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
