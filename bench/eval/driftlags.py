#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The registered lags at lock against the truth (a diagnostic, not part of make check;
docs/accuracy-log.md "The lags at lock under drift").

usage: bench/eval/driftlags.py PREFIX LOG
  PREFIX  an ogate-synth stream (PREFIX_truth.csv); LOG ogate-emulate's stderr from a build with
          bench/eval/driftlags.patch run with DIAGLAGS=1

Per (registered?, scan lag c) group of DIAGL lines (the last line per frame): the lags' count,
their mean error against the true beat that ends at the frame (the truth's unwrapped phase 2 pi
back, interpolated in frames), and the stored V-fit lags' mean error; then lag/stored errors per
frame. The buffer's index is the stream's frame (its first frame is the stream's).
"""
import collections, csv, math, sys
r=sys.argv[1]; log=sys.argv[2]
rows=list(csv.DictReader(open(r+'_truth.csv')))
psi=[float(x['psi_rad']) for x in rows]
u=[psi[0]]
for p in psi[1:]:
    d=p-u[-1]; d=(d+math.pi)%(2*math.pi)-math.pi; u.append(u[-1]+d)
def lag(i):
    target=u[i]-2*math.pi
    k=i
    while k>0 and u[k]>target: k-=1
    if u[k]>target: return float('nan')
    f=(target-u[k])/(u[k+1]-u[k])
    return i-(k+f)
last={}
for l in open(log):
    if not l.startswith('DIAGL'): continue
    w=l.split()
    key=(w[2],w[4])
    last[(w[2],w[4],int(w[8]))]=(float(w[10]),float(w[12]))
# take the final block: the lines after the last reset; group by (reg,c)

g=collections.defaultdict(list)
for (reg,c,seq),(st,lg) in last.items():
    g[(reg,c)].append((seq,st,lg))
for k,v in g.items():
    v=[x for x in v if not math.isnan(x[2])]
    if not v: continue
    d=[x[2]-lag(x[0]) for x in v]; ds=[x[1]-lag(x[0]) for x in v]
    print(k,len(v),'lag-true mean %.3f'%(sum(d)/len(d)),'stored-true %.3f'%(sum(ds)/len(ds)))
    print('   ',' '.join('%d:%.2f/%.2f'%(x[0],x[2]-lag(x[0]),x[1]-lag(x[0])) for x in v))
