"""The benchmark's pages: generated once from a fixed seed, as one PNG per page and as one PDF.

    corpus = build(Path("/tmp/cleardocket-bench"), seed=2024, pages=40)
    corpus.pngs, corpus.pdf

Documents are drawn from the synthetic generator (every layout, its random scan damage, scanned
formats only) until the page count is reached; multi-page documents are split into pages so that
every engine reads exactly the same images. The set is cached by seed and size.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SCANNED_FORMATS = ["png", "tiff"]  # no born-digital PDFs: every page must need OCR


@dataclass(frozen=True)
class Corpus:
    """Page images (one PNG each) and the same pages as one PDF, with what each page is."""

    folder: Path
    pngs: tuple[Path, ...]
    pdf: Path
    manifest: tuple[dict, ...]  # per page: file, layout, damage, dpi, size
    png_dir: Path | None = None  # where the PNGs are, when not in folder/pages

    @property
    def pages(self) -> int:
        return len(self.pngs)

    @property
    def png_folder(self) -> Path:
        return self.png_dir or self.folder / "pages"


def build(work: Path, *, seed: int, pages: int) -> Corpus:
    """The corpus for (seed, pages) under `work`, generated on first use (and again whenever the
    generator's code changes: the folder is keyed by a hash of it)."""
    folder = Path(work) / f"corpus-seed{seed}-pages{pages}-gen{_generator_version()}"
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        _generate(folder, seed=seed, pages=pages)
    manifest = tuple(json.loads(manifest_path.read_text()))
    pngs = tuple(folder / "pages" / m["file"] for m in manifest)
    return Corpus(folder, pngs, folder / "pages.pdf", manifest)


def _generator_version() -> str:
    """A short hash of the generator's source files: pages made by other code are not reused."""
    import hashlib

    import samples.generator as gen

    h = hashlib.sha256()
    for f in sorted(Path(gen.__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def from_folder(pages_dir: Path, work: Path) -> Corpus:
    """A corpus of the PNG pages already in `pages_dir` (for example real scans), sorted by name;
    their PDF is made once under `work`."""
    import img2pdf

    pngs = tuple(sorted(Path(pages_dir).resolve().glob("*.png")))
    if not pngs:
        raise SystemExit(f"no .png pages in {pages_dir}")
    folder = Path(work) / f"folder-{Path(pages_dir).resolve().name}"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "pages.pdf"
    if not pdf.is_file() or pdf.stat().st_mtime < max(p.stat().st_mtime for p in pngs):
        pdf.write_bytes(img2pdf.convert([str(p) for p in pngs]))
    manifest = tuple({"file": p.name, "layout": "given", "damage": [], "mode": "", "dpi": 0} for p in pngs)
    return Corpus(Path(pages_dir).resolve().parent, pngs, pdf, manifest, png_dir=Path(pages_dir).resolve())


def _generate(folder: Path, *, seed: int, pages: int) -> None:
    import img2pdf

    from samples.generator import render_document
    from samples.generator.formats import write_png

    out = folder / "pages"
    out.mkdir(parents=True, exist_ok=True)
    manifest: list[dict] = []
    index = 0
    while len(manifest) < pages:
        doc = render_document(seed, index, formats=SCANNED_FORMATS)
        for number, image in enumerate(doc.pages, start=1):
            if len(manifest) >= pages:
                break
            name = f"p{len(manifest) + 1:03d}_doc{index:03d}_{number}.png"
            write_png(out / name, image, doc.dpi)
            manifest.append({"file": name, "document": index, "page": number, "layout": doc.truth["layout"],
                             "damage": doc.truth["damage"], "dpi": round(doc.dpi), "mode": image.mode,
                             "size": list(image.size)})
        index += 1
    with open(folder / "pages.pdf", "wb") as fh:
        fh.write(img2pdf.convert([str(out / m["file"]) for m in manifest]))
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
