import sys
def edit(path, pairs):
    s=open(path).read()
    for a,b in pairs:
        if a not in s: raise SystemExit(f"{path}: not found: {a[:100]}")
        s=s.replace(a,b)
    open(path,'w').write(s)
