#!/usr/bin/env python3
"""Scores badgateway on the situations of docs/field-notes.md: each thread whose cause was
established, by its situation tag, counts as reproduced when every lab scenario mapped to that
situation below is in tests/fixtures/scenarios (lab.py check, run by make test, proves each
diagnosis). Situations mapped to nothing have no lab capture. The threads themselves are never
inputs: the lab reproduces the situation with its own config and servers."""
import collections
import os
import re

M={'backend-down':['backend-not-running','remote-backend-down','backend-down-unnamed-listeners'],
'unix-socket-permission':['unix-socket-permission','unix-socket-permission-gunicorn'],
'localhost-v6-first':['localhost-ipv6-first'],'upstream-timeout':['read-timeout'],
'stale-container-ip':['stale-address','stale-address-resolver','container-recreated'],
'keepalive-reset':['upstream-resets','upstream-closes'],'header-too-big':['header-too-big'],
'generator-server-down':['generator-server-down','generator-down-beside-one-server'],
'dns-at-start':['upstream-name-typo','docker-app-exited-at-start'],'proxy-loop':['proxy-loop'],
'resolver-missing':['variable-without-resolver'],'php-fpm-saturated':['php-fpm-max-children'],
'wrong-port':['wrong-port'],'connection-upgrade-on-all':['connection-upgrade-always'],
'localhost-inside-nginx-container':['container-nginx-own-loopback','docker-nginx-own-loopback'],
'backend-time-limit':['gunicorn-worker-timeout','php-fpm-terminate-timeout'],
'upstream-name-mismatch':['upstream-name-typo'],'protocol-mismatch':['fastcgi-to-http','grpc-to-http1'],
'backend-invalid-response':['invalid-header','non-http-response'],'out-of-connections':['worker-connections-too-small'],
'unix-socket-path':['unix-socket-wrong-path'],'tls-to-plain-port':['https-to-http'],
'firewall':['firewall-drop','firewall-reject-prohibited'],'backend-crash':['upstream-closes'],
'published-port':['docker-exposed-not-published'],'port-not-published':['docker-exposed-not-published'],
'no-shared-network':['container-no-shared-network'],'host-port-dropped':['host-variable-drops-port'],
'one-dead-member':['upstream-member-down','upstream-member-down-no-retry'],
'app-bound-127-in-container':['container-app-loopback','docker-app-loopback'],
'backend-bound-other-address':['wrong-address'],'cert-verify':['tls-verify-self-signed'],
'resolver-fails':['resolver-nxdomain','resolver-timeout'],'config-rejected':['missing-semicolon','unknown-directive'],
'uwsgi-buffer-size':[],'selinux':[],'name-resolves-elsewhere':[],'ingress-endpoints':[],'upgrade-headers-missing':[],
'health-check-noise':[],'ephemeral-ports':[],'ipv6-unusable':[],'service-name-collision':[]}
rows={}
for l in open('docs/field-notes.md'):
    m=re.match(r"\| (\d+) \| (https?://\S+) \|",l)
    if m: rows[int(m.group(1))]=[c.strip() for c in l.split('|')]
tot=collections.Counter(); rep=collections.Counter(); odd=0; noc=0
for n,c in rows.items():
    sit=c[7]
    if sit in ('not-established','not-a-502') or sit.startswith('not established'):
        noc+=1; continue
    if sit not in M: odd+=1; continue
    tot[sit]+=1
    if M[sit] and all(os.path.isdir('tests/fixtures/scenarios/'+s) for s in M[sit]): rep[sit]+=1
T=sum(tot.values()); R=sum(rep.values())
print(f"rows {len(rows)}; cause not established or not a 502: {noc}; rows whose situation cell did not parse: {odd}; scored: {T}; situation reproduced in the lab and diagnosed (lab check passes): {R} ({100*R/T:.0f}%)")
print("not reproduced:", sorted((k,v) for k,v in tot.items() if not rep[k]))
