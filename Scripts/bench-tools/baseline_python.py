#!/usr/bin/env python3
"""The user's alternative without secinfo: a plain Python csv script doing only the set operations of a change
file on a gzipped CSV export (no rules, no validation), written back gzipped at level 6.
usage: baseline_python.py EXPORT.csv.gz CHANGES.csv.gz OUT.csv.gz"""
import csv, gzip, io, sys
from collections import defaultdict

export, changes, out = sys.argv[1:4]
todo = defaultdict(list)
with gzip.open(changes, 'rt', newline='', encoding='utf-8') as f:
    for row in csv.DictReader(f):
        todo[(row['tenant'], row['user'].lower())].append(row)

PHONES_AND_APPS = {'mobilePhone', 'alternateMobilePhone', 'officePhone', 'microsoftAuthenticator', 'softwareOath'}

def apply(rows, key):
    tenant, user = key
    default = rows[0][3] if rows else 'none'
    methods = [r for r in rows if r[4]]
    for change in todo.pop(key, []):
        op, method, value = change['operation'], change['method'], change['value']
        if op == 'add':
            methods.append([tenant, user, 'false', default, method, change['method_id'], value])
        elif op == 'edit':
            for r in methods:
                if r[4] == method: r[6] = value
        elif op == 'delete':
            methods = [r for r in methods if r[4] != method]
        elif op == 'set-default':
            default = value
        elif op == 'require-reregister':
            methods = [r for r in methods if r[4] not in PHONES_AND_APPS]
            default = 'none'
    base = rows[0] if rows else [tenant, user, 'false', default, '', '', '']
    if not methods:
        return [[base[0], base[1], base[2], default, '', '', '']]
    return [[r[0], r[1], r[2], default, r[4], r[5], r[6]] for r in methods]

with gzip.open(export, 'rt', newline='', encoding='utf-8') as f, \
        gzip.open(out, 'wt', newline='', encoding='utf-8', compresslevel=6) as g:
    reader, writer = csv.reader(f), csv.writer(g, lineterminator='\n')
    writer.writerow(next(reader))
    group, key = [], None
    for row in reader:
        k = (row[0], row[1].lower())
        if k != key and group:
            writer.writerows(apply(group, key) if key in todo else group)
            group = []
        key = k
        group.append(row)
    if group:
        writer.writerows(apply(group, key) if key in todo else group)
    for key in list(todo):  # users the export lacks: created by their adds
        writer.writerows(apply([], key))
