#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Replay ogate_period_scan on the SAD rows bench/eval/detlog.patch logs (OGATE_DETLOG=1) and print, per frame,
which test decides: the valley (stage 2 at lag s2: below lo), the rise after it (got: above hi), the row's minimum
mn and maximum mx, the valley floor vmin at dmin.  detscan.py RUN.log FIRST_SEQ LAST_SEQ
(docs/accuracy-log.md, "Why drifting hearts lock early")."""
import sys


def scan(row, minp=5, lower=0.5, upper=0.75):
    # row[d-1] = diffs at lag d
    n=len(row); mn=mx=row[0]; msm=row[0]; dmin=0; stage=1; s2=None
    for d in range(minp, n+1):
        s=row[d-1]
        lo=mn+(mx-mn)*lower; hi=mn+(mx-mn)*upper
        if s<lo and stage==1: stage=2; s2=d
        if s>hi and stage==2: return dict(got=d,s2=s2,mn=mn,mx=mx,lo=lo,hi=hi,dmin=dmin,vmin=msm,s=s)
        if s>mx: mx=s; msm=s; dmin=d; stage=1
        elif s!=0 and (mn==0 or s<mn): mn=s
        if s<msm: msm=s; dmin=d
    return dict(got=None,s2=s2,mn=mn,mx=mx,dmin=dmin,vmin=msm,stage=stage,lo=mn+(mx-mn)*lower,hi=mn+(mx-mn)*upper)
for line in open(sys.argv[1]):
    if not line.startswith('DET'): continue
    p=line.split(); seq=int(p[1][4:]); 
    if seq<int(sys.argv[2]) or seq>int(sys.argv[3]): continue
    row=[float(x) for x in p[p.index('diffs')+1:]]
    r=scan(row)
    tail=' '.join('%d:%.0f'%(d,row[d-1]) for d in range(max(1,r['dmin']-3),len(row)+1))
    print(seq, {k:(round(v) if isinstance(v,float) else v) for k,v in r.items()}); print('   ', tail)
