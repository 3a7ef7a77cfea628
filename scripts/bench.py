#!/usr/bin/env python3
"""End-to-end performance measurements for opsdeck (not part of the tests).

Needs: a release build (`cargo build --release`), Debian's
prometheus-alertmanager and amtool. Each measurement runs both sides (or the
same side) in one run, alternately, and prints medians:

  1. `opsdeck alerts --json` against `amtool alert query -o json`, and
     against `curl` fetching the endpoints opsdeck reads (alerts, silences,
     status) in parallel, on the same real Alertmanager holding 10,000 alerts
     the script pushed itself.
  2. The console idle with 10,000 alerts and a 10 s refresh: CPU over 30 s and
     RSS, read from /proc.
  3. Key-press-to-frame latency while one source stalls (accepts the
     connection, never answers).

Usage: scripts/bench.py [--alerts N] [--runs N] [--idle SECONDS] [--parts cli,idle,stall]
"""

import argparse
import json
import os
import pty
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSDECK = os.path.join(ROOT, "target", "release", "opsdeck")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def start_alertmanager(tmp):
    binary = shutil.which("prometheus-alertmanager")
    if not binary:
        raise SystemExit("prometheus-alertmanager is missing: apt-get install prometheus-alertmanager")
    port = free_port()
    cfg = os.path.join(tmp, "am.yml")
    with open(cfg, "w") as f:
        f.write('route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n')
    proc = subprocess.Popen(
        [binary, f"--config.file={cfg}", f"--storage.path={tmp}/am-data",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/-/ready")
    return proc, url


def push_alerts(url, n):
    levels = ["critical", "warning", "warning", "info"]
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6 * 3600))
    # Started two hours ago: their ages read "2h" throughout the run, so an
    # idle screen has nothing to change.
    starts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2 * 3600))
    for start in range(0, n, 1000):
        batch = []
        for i in range(start, min(n, start + 1000)):
            batch.append({
                "labels": {
                    "alertname": f"{levels[i % 4]}_service{i % 97}_metric{i}",
                    "level": levels[i % 4],
                    "owner": f"team-{i % 300}",
                    "service_name": f"service{i % 97}",
                    "name": f"metric{i}",
                },
                "annotations": {"description": f"metric {i} is bad"},
                "startsAt": starts,
                "endsAt": ends,
            })
        req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(batch).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(req, timeout=30).read()
    deadline = time.time() + 30
    while time.time() < deadline:
        with urllib.request.urlopen(url + "/api/v2/alerts", timeout=30) as r:
            if len(json.load(r)) >= n:
                return
        time.sleep(0.5)
    raise SystemExit("the alerts did not all arrive")


def timed(cmd, env):
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {out.stderr.decode()[:500]}")
    return elapsed, out.stdout


def compare_cli(url, runs, tmp, env, config):
    """`opsdeck alerts --json` against amtool and against curl fetching the
    same three endpoints opsdeck reads (alerts, silences, status) at once:
    the three take turns, each run in another order."""
    amtool = shutil.which("amtool")
    if not amtool:
        raise SystemExit("amtool is missing: apt-get install prometheus-alertmanager")
    curl = shutil.which("curl")
    if not curl:
        raise SystemExit("curl is missing: apt-get install curl")
    sides = {
        "opsdeck": [OPSDECK, "--config", config, "alerts", "--json"],
        "amtool": [amtool, "alert", "query", "-o", "json", f"--alertmanager.url={url}"],
        "curl": [curl, "-sS", "--no-progress-meter", "--fail", "--parallel", "--parallel-immediate"]
        + [a for path in ("/api/v2/alerts", "/api/v2/silences", "/api/v2/status")
           for a in ("-o", "/dev/null", url + path)],
    }
    times = {name: [] for name in sides}
    names = list(sides)
    for i in range(runs):
        # Rotate who goes first, so no side always gets the warm cache.
        order = names[i % 3:] + names[:i % 3]
        for name in order:
            t, out = timed(sides[name], env)
            times[name].append(t)
            if name == "opsdeck" and i == 0:
                doc = json.loads(out)
                count = sum(len(t["alerts"]) for t in doc["teams"])
                print(f"  opsdeck saw {count} alerts in {len(doc['teams'])} teams")
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, label in [("opsdeck", "opsdeck alerts --json"),
                        ("amtool", "amtool alert query -o json"),
                        ("curl", "curl of alerts + silences + status, in parallel")]:
        ts = times[name]
        print(f"  {label}: median {med[name] * 1000:.0f} ms "
              f"(range {min(ts) * 1000:.0f}-{max(ts) * 1000:.0f}) over {runs} runs")
    print(f"  ratio opsdeck/amtool: {med['opsdeck'] / med['amtool']:.2f} (goal <= 0.5)")
    print(f"  ratio opsdeck/curl: {med['opsdeck'] / med['curl']:.2f} (goal <= 1.10)")
    return med


class Console:
    """The release binary in a pseudo-terminal."""

    def __init__(self, args, env, rows=80, cols=250):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(env)
            os.environ["COLUMNS"], os.environ["LINES"] = str(cols), str(rows)
            os.execv(OPSDECK, [OPSDECK] + args)
        import fcntl
        import struct
        import termios
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.out = bytearray()
        self.lock = threading.Lock()
        self.last_output = time.perf_counter()
        self.alive = True
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while self.alive:
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                with self.lock:
                    self.out.extend(data)
                    self.last_output = time.perf_counter()

    def wait_for(self, text, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if text.encode() in self.out:
                    return
            time.sleep(0.05)
        raise SystemExit(f"{text!r} never appeared")

    def bytes_seen(self):
        with self.lock:
            return len(self.out)

    def cpu_ticks(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def rss_mb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def quit(self):
        os.write(self.fd, b"q")
        time.sleep(0.5)
        self.alive = False
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def idle(config, env, seconds):
    c = Console(["--config", config], env)
    c.wait_for("Alerts by team")
    os.write(c.fd, b"1")
    c.wait_for("team-")
    time.sleep(5)
    hz = os.sysconf("SC_CLK_TCK")
    t0, b0 = c.cpu_ticks(), c.bytes_seen()
    time.sleep(seconds)
    t1, b1 = c.cpu_ticks(), c.bytes_seen()
    rss = c.rss_mb()
    c.quit()
    cpu = (t1 - t0) / hz / seconds * 100
    print(f"  idle CPU over {seconds} s: {cpu:.2f} % (goal < 0.5 %)")
    print(f"  RSS: {rss:.1f} MB (goal <= 60 MB)")
    print(f"  terminal output while idle: {(b1 - b0) / seconds:.0f} bytes/s (goal: 0, nothing visible changes)")
    return cpu, rss


def stalled_latency(config_with_stall, env, presses=40):
    stall = socket.socket()
    stall.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    stall.bind(("127.0.0.1", 0))
    stall.listen(64)
    held = []
    threading.Thread(target=lambda: [held.append(stall.accept()) for _ in iter(int, 1)], daemon=True).start()
    config = config_with_stall(stall.getsockname()[1])
    c = Console(["--config", config], env)
    c.wait_for("Alerts by team")
    os.write(c.fd, b"1")
    c.wait_for("team-")
    lat = []
    for i in range(presses):
        before = c.bytes_seen()
        t = time.perf_counter()
        os.write(c.fd, b"j" if i % 2 == 0 else b"k")
        while c.bytes_seen() == before and time.perf_counter() - t < 2:
            time.sleep(0.0005)
        lat.append(time.perf_counter() - t)
        time.sleep(0.05)
    c.quit()
    print(f"  key press -> redrawn frame with a stalled source: median {statistics.median(lat) * 1000:.1f} ms, "
          f"max {max(lat) * 1000:.1f} ms over {presses} presses")
    return statistics.median(lat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--idle", type=int, default=30)
    ap.add_argument("--parts", default="cli,idle,stall",
                    help="which measurements, comma-separated: cli, idle, stall")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if not os.path.exists(OPSDECK):
        raise SystemExit("build first: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOME=tmp, XDG_STATE_HOME=f"{tmp}/state", XDG_CONFIG_HOME=f"{tmp}/config", TERM="xterm-256color")
        am, url = start_alertmanager(tmp)
        try:
            print(f"pushing {args.alerts} alerts to a real Alertmanager at {url} …")
            push_alerts(url, args.alerts)
            config = os.path.join(tmp, "config.toml")
            with open(config, "w") as f:
                f.write(f'[[alertmanager]]\nname = "prod"\nurl = "{url}"\n[alerts]\nrefresh = "10s"\n')
            if "cli" in parts:
                print("1. opsdeck alerts --json vs amtool alert query -o json and curl")
                compare_cli(url, args.runs, tmp, env, config)
            if "idle" in parts:
                print("2. the console idle")
                idle(config, env, args.idle)

            def with_stall(port):
                path = os.path.join(tmp, "stall.toml")
                with open(path, "w") as f:
                    f.write(f'[[alertmanager]]\nname = "prod"\nurl = "{url}"\n'
                            f'[[alertmanager]]\nname = "stalled"\nurl = "http://127.0.0.1:{port}"\ntimeout = "30s"\n'
                            '[alerts]\nrefresh = "2s"\n')
                return path
            if "stall" in parts:
                print("3. key presses while a source stalls")
                stalled_latency(with_stall, env)
        finally:
            am.terminate()
            am.wait()


if __name__ == "__main__":
    sys.exit(main())
