"""Train a blank spaCy NER on the peacetalks export and print entity P/R/F on validation and test.

    peacetalks build --out release
    peacetalks export --format spacy --release release --out export-spacy
    python examples/train_spacy_ner.py export-spacy

Offline and CPU only: ``spacy.blank("en")`` (no model download), a fixed seed, sentence by sentence
(the export's ``doc.sents``; entities never cross a sentence, so scores per sentence are scores per
document). Needs the export extra: ``pip install 'peacetalks[export]'``.

Determinism: the seed fixes the initial weights and the order of the batches, so a rerun on the
same machine and library versions prints the same table; another CPU, BLAS build or thread count
can change the floating-point sums and move the figures in the last digits.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch


def sentence_examples(nlp: Language, path: Path) -> list[Example]:
    """One example per sentence of every document in a DocBin: the gold sentence, and the same tokens untagged."""
    examples = []
    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        for sentence in doc.sents:
            gold = sentence.as_doc()
            blank = Doc(nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold])
            examples.append(Example(blank, gold))
    return examples


def train(nlp: Language, examples: list[Example], iterations: int, seed: int) -> None:
    ner = nlp.add_pipe("ner")
    for example in examples:
        for entity in example.reference.ents:
            ner.add_label(entity.label_)
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    for _ in range(iterations):
        shuffled = list(examples)
        order.shuffle(shuffled)
        for batch in minibatch(shuffled, size=8):
            nlp.update(batch, sgd=optimizer, drop=0.2)


def table(scores: Iterable[tuple[str, dict[str, float]]]) -> str:
    lines = ["| split | entity P | entity R | entity F |", "|---|---:|---:|---:|"]
    lines += [f"| {split} | {s['ents_p'] or 0:.3f} | {s['ents_r'] or 0:.3f} | {s['ents_f'] or 0:.3f} |" for split, s in scores]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", type=Path, help="a `peacetalks export --format spacy` folder (train/validation/test .spacy)")
    parser.add_argument("--iterations", type=int, default=30, help="passes over the training sentences (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    fix_random_seed(args.seed)
    nlp = spacy.blank("en")
    splits = {split: sentence_examples(nlp, args.export / f"{split}.spacy") for split in ("train", "validation", "test")}
    train(nlp, splits["train"], args.iterations, args.seed)
    print(table((split, nlp.evaluate(splits[split])) for split in ("validation", "test")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
