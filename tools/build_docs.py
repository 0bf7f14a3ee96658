"""Build the documentation site from the notebooks in nbs/ without quarto.

    python tools/build_docs.py [--out _docs]

1. each notebook of nbs/ is executed with nbclient into _exec/ (examples run, plots are drawn; a failing cell fails the build);
2. nbdev's processing (what `nbdev-proc-nbs` does) turns the executed notebooks into _proc/: show_doc for every exported
   name, exported source replaced by its documentation, directives applied;
3. nbconvert turns each into an HTML page into _docs/ (index.html is the home page), with a navigation bar that names each page
   once (the package name is the home page's link), code blocks of text cells boxed as code, and each API page opening with
   what a user calls (`LEAD`), the internals after it in the notebook's order.
Where quarto is installed, `nbdev-docs` builds the nbdev site instead.
"""
import argparse, html, re, sys
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*(.*)$')
SHOW_DOC = re.compile(r'^show_doc\(([\w.]+)\)\s*$', re.MULTILINE)

# What a fastai user calls, in the order a page documents it first: the notebook keeps its order (definitions before use, for
# its examples); the page opens with these, under "What you call", and the internals follow in the notebook's order.
# A name the notebook does not document is skipped.
LEAD = {
    '00_core': ['LRFinder', 'range_test_spec'],
    '01_state': ['LearnerSnapshot', 'RestoreError'],
    '02_suggest': ['valley', 'steep', 'recommended', 'register_suggestion', 'SuggestionMethod', 'SweepAgain'],
    '02a_diagnostics': ['LRFindWarning', 'Finding', 'FindingKind', 'StopReason'],
    '03_plot': ['plot_lr_curve'],
    '03a_result': ['LRFindResult', 'LRFindResult.plot', 'LRFindResult.suggested_lrs', 'LRFindResult.as_slice', 'LRFindResult.spread',
                   'LRFindResult.suggestions_per_run', 'LRFindResult.to_dict', 'LRFindResult.to_df', 'LRFindResult.from_dict',
                   'LRFindResult.load', 'LRFindResult.save'],
    '04_learner': ['Learner.lr_find', 'Learner.lr_range_test', 'Recorder.plot_lr_find'],
    '07_examples': ['digits_learner'],
}

# Code blocks in text cells (```python ... ```) as boxed code, apart from the prose around them, as code cells are
CSS = """<style>
.jp-RenderedMarkdown .highlight, .jp-RenderedMarkdown > pre {
  background: #f5f5f5; border: 1px solid #ddd; border-radius: 4px; padding: 8px 12px; margin: 12px 0 16px; overflow-x: auto; }
.jp-RenderedMarkdown .highlight pre { margin: 0; padding: 0; background: transparent; border: 0; }
nav.site a { margin: 0 2px; } nav.site a.here { font-weight: bold; color: #222; text-decoration: none; }
</style>"""


def _frontmatter(nb):
    "Title, description and output file from the raw YAML cell nbdev-proc-nbs puts first"
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'raw' and c.source.strip().startswith('---'):
            meta = yaml.safe_load(c.source.strip().strip('-')) or {}
            del nb.cells[i]
            return meta
    return {}


def _prepare(nb, meta):
    "Quarto directives become nbconvert tags; directive lines are removed from what readers see"
    cells = []
    for c in nb.cells:
        for k in [k for k in c if k not in ('cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments')]:
            del c[k]  # nbdev's own markers (has_sd...) are not nbformat
        c.metadata.pop('execution', None)  # timing metadata that nbformat's schema rejects
        if c.cell_type != 'code': cells.append(c); continue
        lines = c.source.splitlines()
        dirs = [m.group(1).strip() for m in map(DIRECTIVE.match, lines) if m]
        c.source = '\n'.join(l for l in lines if not DIRECTIVE.match(l)).strip('\n')
        tags = set(c.metadata.get('tags', []))
        if any(d in ('hide', 'include: false') for d in dirs): tags.add('remove_cell')
        if any(d == 'echo: false' for d in dirs): tags.add('remove_input')
        if any(d == 'eval: false' for d in dirs): tags.add('skip-execution')
        if any(d.startswith('export') for d in dirs): tags.add('remove_cell')  # documented by show_doc instead
        c.metadata['tags'] = sorted(tags)
        cells.append(c)
    head = nbformat.v4.new_markdown_cell(f"# {meta.get('title', '')}\n\n> {meta.get('description', '')}")
    nb.cells = [head] + cells
    return nb


def _lead(nb, names):
    "Move the show_doc cells of `names` (in that order) to the top of the page, under 'What you call', before the first section"
    found = {m.group(1): c for c in nb.cells if c.cell_type == 'code' for m in [SHOW_DOC.search(c.source)] if m}
    lead = [found[n] for n in names if n in found]
    if not lead: return nb
    rest = [c for c in nb.cells if all(c is not l for l in lead)]
    at = next((i for i, c in enumerate(rest) if c.cell_type == 'code' or c.source.lstrip().startswith('## ')), len(rest)) # after the intro
    head = nbformat.v4.new_markdown_cell('## What you call')
    tail = nbformat.v4.new_markdown_cell('## How it works\n\nThe internals, in the order the module builds them.')
    nb.cells = rest[:at] + [head] + lead + ([tail] if at < len(rest) else []) + rest[at:]
    return nb


def _nav(pages, here):
    "One line: the package name links the home page; every other page once, by its title; the page you are on in bold"
    def a(fn, text): return f'<a href="{fn}"' + (' class="here"' if fn == here else '') + f'>{text}</a>'
    links = [a(fn, html.escape(str(m.get('title', fn)).strip('`'))) for _, _, m, fn in pages if fn != 'index.html']
    return ('<nav class="site" style="padding:10px 24px;border-bottom:1px solid #ddd;font-family:sans-serif;font-size:15px">'
            + a('index.html', '<b>fastai_lrrange</b>') + ' &nbsp; ' + ' · '.join(links) + '</nav>')


def execute_notebooks(dest):
    "Run every notebook of nbs/ and write it, with its outputs, to `dest`"
    import os, shutil
    # the kernels inherit our environment: a non-interactive MPLBACKEND (Agg, as in CI) would keep plots off the pages
    os.environ['MPLBACKEND'] = 'module://matplotlib_inline.backend_inline'
    if dest.exists(): shutil.rmtree(dest)
    shutil.copytree(ROOT / 'nbs', dest, ignore=shutil.ignore_patterns('.ipynb_checkpoints', 'models', '_*'))
    for f in sorted(dest.glob('*.ipynb')):
        nb = nbformat.read(f, as_version=4)
        for c in nb.cells:  # nbclient does not read quarto's directive; its tag does the same
            if c.cell_type == 'code' and any(m and m.group(1).strip() == 'eval: false' for m in map(DIRECTIVE.match, c.source.splitlines())):
                c.metadata['tags'] = sorted(set(c.metadata.get('tags', [])) | {'skip-execution'})
        print(f'executing {f.name}', flush=True)
        NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(ROOT / 'nbs')}}).execute()
        nbformat.write(nb, f)


def build(out, reuse=False):
    import os
    from nbdev.serve import proc_nbs
    if not (reuse and (ROOT / '_proc').exists()):
        execute_notebooks(ROOT / '_exec')
        os.chdir(ROOT)
        proc_nbs(path=str(ROOT / '_exec'), force=True, n_workers=0)
    pages = []
    for f in sorted((ROOT / '_proc').glob('*.ipynb')):
        nb = nbformat.read(f, as_version=4)
        meta = _frontmatter(nb)
        name = meta.get('output-file') or f.with_suffix('.html').name
        pages.append((f, nb, meta, 'index.html' if f.stem == 'index' else name))
    pages.sort(key=lambda p: (p[3] != 'index.html', p[0].name))
    exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={'remove_cell'}, remove_input_tags={'remove_input'},
                                                         enabled=True), enabled=True)
    out.mkdir(parents=True, exist_ok=True)
    report = []
    for f, nb, meta, fn in pages:
        nb = _prepare(_lead(nb, LEAD.get(f.stem, [])), meta)
        body, _ = exporter.from_notebook_node(nb)
        body = body.replace('</head>', CSS + '\n</head>', 1)
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + _nav(pages, fn), body, count=1)
        (out / fn).write_text(body, encoding='utf-8')
        n_img = body.count('<img')
        report.append((fn, n_img))
        print(f'{fn}: {n_img} images')
    return report


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(ROOT / '_docs'))
    p.add_argument('--reuse', action='store_true', help='reuse the executed and processed notebooks of a previous build')
    a = p.parse_args()
    report = dict(build(Path(a.out), a.reuse))
    for page in ('index.html', 'learner.html'):  # pages whose examples draw range-test plots
        if report.get(page, 0) == 0: sys.exit(f'build_docs: {page} has no plot image')
    print(f'site written to {a.out}')


if __name__ == '__main__': main()
