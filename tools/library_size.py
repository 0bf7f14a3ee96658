"""Size of the library at each commit given (WORK: the working tree): non-blank non-comment lines, statements (ast),
code tokens (comments and strings left out). `_modidx.py` (generated) is left out (`test_utils.py`, left out before issue 21, became `examples.py`, product code: counted).
Usage: python tools/library_size.py [--modules] 660e2c7 1f1028e HEAD WORK"""
import ast, io, subprocess, sys, tokenize
SKIP = ('_modidx',)
CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.STRING}

def files(commit):
    "Library modules at `commit`"
    out = subprocess.check_output(['git', 'ls-tree', '--name-only', 'HEAD' if commit == 'WORK' else commit, 'fastai_lrrange/'], text=True)
    return [f for f in out.split() if f.endswith('.py') and not any(s in f for s in SKIP)]

def source(commit, f):
    "Text of module `f` at `commit`"
    return open(f).read() if commit == 'WORK' else subprocess.check_output(['git', 'show', f'{commit}:{f}'], text=True)

def size(src):
    "(lines, statements, tokens) of one module's source"
    lines = sum(1 for l in src.splitlines() if l.strip() and not l.strip().startswith('#'))
    stmts = sum(isinstance(n, ast.stmt) for n in ast.walk(ast.parse(src)))
    toks = sum(1 for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type not in CODE)
    return lines, stmts, toks

if __name__ == '__main__':
    args = sys.argv[1:]
    if not args or {'-h', '--help'} & set(args): sys.exit(__doc__)
    per_module = '--modules' in args
    for c in [a for a in args if a != '--modules']:
        sizes = {f: size(source(c, f)) for f in files(c)}
        if per_module:
            for f,s in sizes.items(): print('  %-34s lines %5d  statements %5d  tokens %6d' % ((f,) + s))
        print('%-8s lines %5d  statements %5d  tokens %6d' % ((c,) + tuple(map(sum, zip(*sizes.values())))))
