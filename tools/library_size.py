"""Size of the library at each commit given (WORK: the working tree): non-blank non-comment lines, statements (ast),
code tokens (comments and strings left out). `_modidx.py` (generated) and `test_utils.py` (fixtures) are left out.
Usage: python tools/library_size.py 660e2c7 1f1028e HEAD WORK"""
import ast, io, subprocess, sys, tokenize
SKIP = ('_modidx', 'test_utils')
def files(commit):
    return [f for f in subprocess.check_output(['git','ls-tree','--name-only',commit,'fastai_lrrange/'],text=True).split()
            if f.endswith('.py') and not any(s in f for s in SKIP)]
def src(commit, f):
    return open(f).read() if commit == 'WORK' else subprocess.check_output(['git','show',f'{commit}:{f}'],text=True)
def size(commit):
    ln=st=tk=0
    for f in files('HEAD' if commit == 'WORK' else commit):
        s = src(commit, f)
        ln += sum(1 for l in s.splitlines() if l.strip() and not l.strip().startswith('#'))
        st += sum(isinstance(n, ast.stmt) for n in ast.walk(ast.parse(s)))
        tk += sum(1 for t in tokenize.generate_tokens(io.StringIO(s).readline) if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.STRING))
    return ln, st, tk
for c in sys.argv[1:]: print('%-8s lines %5d  statements %5d  tokens %6d' % ((c,) + size(c)))
