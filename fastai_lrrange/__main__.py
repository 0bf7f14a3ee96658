"`python -m fastai_lrrange demo`: the `lrrange` console script."
from fastai_lrrange.cli import main

if __name__ == '__main__': main()
