"""Pull and push of 10,000 users against the Graph emulator, without and with 20 % of requests throttled.

Each round starts a fresh emulator (graph-emulator) seeded with the generated export, pulls every tenant, applies
the generated changes to the pulled export (once, outside the timings) and pushes the requests. It reads the
emulator's own statistics (requests served, throttled) when it stops, and writes the section of BENCHMARKS.md
headed '## Graph: pull and push'.
"""
import http.client
import json
import os
import threading
import urllib.parse
import re
import signal
import statistics
import subprocess
import sys
import time

work, bin_dir, rounds, benchmarks = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
secinfo = os.path.join(bin_dir, "secinfo")
emulator = os.path.join(bin_dir, "graph-emulator")
export = os.path.join(work, "data", "export.jsonl")
changes = os.path.join(work, "data", "changes.csv")


def start_emulator(throttle):
    tenants = os.path.join(work, "tenants.json")
    process = subprocess.Popen(
        [emulator, "--export", export, "--tenants-out", tenants, "--throttle", str(throttle), "--retry-after", "0"],
        stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        raise SystemExit(f"graph-emulator did not start: {line!r}")
    with open(tenants) as handle:
        names = json.load(handle)["tenants"]
    environment = dict(os.environ)
    for name, entry in names.items():
        environment[entry["clientSecretEnv"]] = f"secret-{name}"
    return process, match.group(1), tenants, environment


def stop_emulator(process):
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def probe_limit(url, tenants_file, threads=4, batches=250):
    """The emulator's own limit on this machine: inner requests per second that plain keep-alive clients (four
    threads, each posting $batch of 20 GETs of users' methods) get from it, secinfo not running."""
    with open(tenants_file) as handle:
        name, entry = next(iter(json.load(handle)["tenants"].items()))
    host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
    connection = http.client.HTTPConnection(host, port)
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": entry["clientId"],
                                   "scope": "https://127.0.0.1/.default", "client_secret": f"secret-{name}"})
    connection.request("POST", f"/{entry['tenantId']}/oauth2/v2.0/token", form,
                       {"Content-Type": "application/x-www-form-urlencoded"})
    token = json.loads(connection.getresponse().read())["access_token"]
    ids = []
    with open(export) as handle:
        for line in handle:
            user = json.loads(line)
            if user["tenant"] == name:
                ids.append(urllib.parse.quote(user["userPrincipalName"], safe="@"))
    body = json.dumps({"requests": [{"id": str(i), "method": "GET",
                                     "url": f"/users/{ids[i % len(ids)]}/authentication/methods"} for i in range(20)]})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker():
        client = http.client.HTTPConnection(host, port)
        for _ in range(batches):
            client.request("POST", "/beta/$batch", body, headers)
            client.getresponse().read()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return threads * batches * 20 / (time.monotonic() - started), threads * batches * 20


def timed(arguments, environment, allowed=(0,)):
    started = time.monotonic()
    result = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode not in allowed:
        raise SystemExit(f"{' '.join(arguments)} exited {result.returncode}: {result.stderr[-2000:]}")
    return elapsed


def one_round(throttle, number):
    process, url, tenants, environment = start_emulator(throttle)
    base = ["--tenants", tenants, "--graph-url", url, "--authority-url", url, "--quiet"]
    folder = os.path.join(work, f"round-{number}-{throttle}")
    subprocess.run(["rm", "-rf", folder], check=True)
    os.makedirs(folder)
    try:
        limit, probed = probe_limit(url, tenants) if throttle == 0.0 else (None, 0)
        pull_seconds = timed([secinfo, "pull", "--out", os.path.join(folder, "pulled")] + base, environment)
        requests = os.path.join(folder, "requests.jsonl")
        timed([secinfo, "apply", "--export", os.path.join(folder, "pulled"), "--changes", changes,
               "--output", os.path.join(folder, "applied"), "--graph-requests", requests, "--quiet"],
              environment, allowed=(0, 1, 3))
        with open(requests) as handle:
            planned = sum(line.count('"method":') for line in handle)
        push_seconds = timed([secinfo, "push", "--requests", requests, "--ledger", os.path.join(folder, "ledger.jsonl"),
                              "--report", os.path.join(folder, "push-report")] + base, environment, allowed=(0, 1))
    finally:
        stats = stop_emulator(process)
        # What secinfo was served: the probe's own requests taken out.
        stats["requests"] = stats.get("requests", 0) - probed
    return {"pull": pull_seconds, "push": push_seconds, "planned": planned, "stats": stats, "limit": limit}


results = {0.0: [], 0.2: []}
for number in range(rounds):
    for throttle in (0.0, 0.2):
        result = one_round(throttle, number)
        results[throttle].append(result)
        print(f"round {number + 1} throttle {throttle:.0%}: pull {result['pull']:.2f} s, push {result['push']:.2f} s, "
              f"{result['planned']} requests planned, emulator {result['stats']}, limit probe {result['limit']}",
              flush=True)


def median(values):
    return statistics.median(values)


users = sum(1 for _ in open(export))
rows = []
for throttle, label in ((0.0, "none throttled"), (0.2, "20 % throttled")):
    runs = results[throttle]
    pull = median([run["pull"] for run in runs])
    push = median([run["push"] for run in runs])
    planned = runs[0]["planned"]
    served = median([run["stats"].get("requests", 0) for run in runs])
    throttled = median([run["stats"].get("throttled", 0) for run in runs])
    rows.append((label, pull, push, planned, served, throttled))

base_pull, base_push = rows[0][1], rows[0][2]
limit = median([run["limit"] for run in results[0.0]])
machine = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.split("\n")
section = ["## Graph: pull and push", "",
           f"`Scripts/bench-graph {rounds}` on this machine ({machine[0].strip()} cores,{machine[1]}), "
           f"{time.strftime('%Y-%m-%d')}: {users:,} users over 10 tenants (`secinfo generate --tenants 10 --users 10000 "
           "--format jsonl --changes 10000 --seed 1`), the emulator (`graph-emulator`, SwiftNIO, in-memory, one "
           "process) on loopback, a fresh one each round, rounds alternating, medians of "
           f"{rounds}. Throttled: each request inside a batch answered 429 with `Retry-After: 0` at the given share "
           "(the batch itself 200), as Graph does; secinfo sends them again. `--concurrency` 4 (the default).", "",
           "| run | pull (s) | users/s | push (s) | requests planned | push requests/s | Graph requests served (pull + push) | served/s | of the emulator's limit | throttled | pull vs unthrottled | push vs unthrottled |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for label, pull, push, planned, served, throttled in rows:
    rate = served / (pull + push)
    section.append(f"| {label} | {pull:.2f} | {users / pull:,.0f} | {push:.2f} | {planned:,} | {planned / push:,.0f} | "
                   f"{served:,.0f} | {rate:,.0f} | {rate / limit:.0%} | {throttled:,.0f} | {pull / base_pull:.2f}× | "
                   f"{push / base_push:.2f}× |")
section += ["",
            f"The emulator's limit: {limit:,.0f} inner requests/s, measured each unthrottled round before secinfo runs "
            "(four Python threads on keep-alive connections posting `$batch`es of 20 GETs; median). secinfo's rate "
            "is Graph requests served over pull + push wall time (process start, token, writing the export and "
            "converting it included), both sharing the machine's 2 cores with the emulator. The throttled run's "
            "cost is the requests sent again and the wait for a batch's throttled requests before their next "
            "round. The requests served include the throttled answers and the pull's listing and registration "
            "pages.", ""]

text = open(benchmarks).read() if os.path.exists(benchmarks) else "# Benchmarks\n"
start = text.find("## Graph: pull and push")
if start >= 0:
    end = text.find("\n## ", start + 1)
    text = text[:start] + "\n".join(section) + ("\n" + text[end + 1:] if end >= 0 else "\n")
else:
    text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
open(benchmarks, "w").write(text)
print("\n".join(section))
