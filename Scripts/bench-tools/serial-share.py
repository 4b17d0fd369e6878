#!/usr/bin/env python3
"""Where a run's CPU goes by role, from `perf record -e cpu-clock -g` of `secinfo apply`: the reading thread (the
main thread: inflating, cutting chunks), the collector (counting and the run check in file order, handing bytes to
the writer), the workers (reading chunks, auditing, encoding) and the compressing threads (libdeflate). The
collector runs on Dispatch's threads like the workers, so it is told by its functions on the stack, not its thread.
usage: serial-share.py SECINFO EXPORT CHANGES WORKERS"""
import os, subprocess, sys, tempfile

secinfo, export, changes, workers = sys.argv[1:5]
with tempfile.TemporaryDirectory() as work:
    data = os.path.join(work, 'perf.data')
    subprocess.run(['perf', 'record', '-q', '-e', 'cpu-clock', '-g', '-o', data, secinfo, 'apply', '--quiet',
                    '--workers', workers, '--export', export, '--changes', changes, '--output',
                    os.path.join(work, 'out')], check=False, capture_output=True)
    script = subprocess.run(['perf', 'script', '-i', data, '-F', 'comm,tid,ip,sym,dso'], capture_output=True, text=True,
                            errors='replace').stdout
roles = {'reading thread': 0, 'collector': 0, 'workers': 0, 'compressing': 0, 'other': 0}
stack, comm = [], None
def flush():
    if comm is None: return
    joined = ' '.join(stack)
    if comm == 'secinfo': roles['reading thread'] += 1
    elif 'ExportCounts' in joined or 'ExportOutput' in joined or 'ProgressCounter' in joined: roles['collector'] += 1
    elif 'libdeflate' in joined or 'DeflateJob' in joined: roles['compressing'] += 1
    elif 'ChunkProcessor' in joined: roles['workers'] += 1
    else: roles['other'] += 1
for line in script.splitlines():
    if not line.strip():
        flush(); stack, comm = [], None
    elif comm is None:
        comm = line.split()[0]
    else:
        stack.append(line.strip())
flush()
total = sum(roles.values()) or 1
print(f'--workers {workers}: ' + ', '.join(f'{name} {count / total:.1%}' for name, count in roles.items()))
