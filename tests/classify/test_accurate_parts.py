"""The accurate tier's pieces that need no model file: mixing, class offsets, graph names, EDOS C groups."""

from __future__ import annotations

from dataclasses import dataclass

import model_parts
import numpy as np
import pytest
from accurate_data import categories, vectors
from calibrate_accurate import _b_f1, _offsets

from tagscope.classify import accurate
from tagscope.classify.base import MODELS_DIR, Batch

CLASSES = ["a", "b", "c"]


@dataclass
class FixedScorer:
    """Stands for an ONNX graph: the same class probabilities for every text."""

    p: list[float]

    def outputs(self, texts: list[str]) -> dict[str, np.ndarray]:
        return {"p": np.tile(np.array(self.p, dtype=np.float32), (len(texts), 1)), "e": np.zeros((len(texts), 384), np.float32)}


@dataclass
class FixedFast:
    """Stands for a fast-tier model (``.model.proba_blocks`` and ``.model.labels``)."""

    p: list[float]
    labels: tuple[str, ...] = tuple(CLASSES)

    @property
    def model(self) -> FixedFast:
        return self

    def proba_blocks(self, blocks: object) -> np.ndarray:
        return np.array([self.p], dtype=np.float32)


def head(**kw: object) -> accurate.MixedHead:
    return accurate.MixedHead(CLASSES, FixedScorer([0.6, 0.3, 0.1]), FixedFast([0.2, 0.2, 0.6]), **kw)  # type: ignore[arg-type]


def test_mixing_averages_several_graphs_then_the_fast_tier() -> None:
    batch = Batch(["one post"])
    assert head(weight=1.0).proba(batch)[0] == pytest.approx([0.6, 0.3, 0.1])
    two = head(weight=1.0, more=(FixedScorer([0.2, 0.3, 0.5]),))  # type: ignore[arg-type]
    assert two.proba(batch)[0] == pytest.approx([0.4, 0.3, 0.3])
    assert head(weight=0.5).proba(batch)[0] == pytest.approx([0.4, 0.25, 0.35])


def test_class_offsets_reweight_and_renormalise() -> None:
    batch = Batch(["one post"])
    assert head(weight=1.0, offsets=np.zeros(3)).proba(batch)[0] == pytest.approx([0.6, 0.3, 0.1])
    p = head(weight=1.0, offsets=np.array([0.0, 1.0, 0.0])).proba(batch)[0]
    assert p.sum() == pytest.approx(1.0)
    assert p[1] / p[0] == pytest.approx(0.5 * np.e)  # odds against class a multiplied by e
    labels, scores = head(weight=1.0, offsets=np.array([0.0, 1.0, 0.0])).labels(batch)
    assert labels == ["b"] and scores[0] == pytest.approx(p[1])


def test_offsets_undo_a_bias_and_leave_a_perfect_scorer_alone() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    perfect = np.log(np.eye(3)[y] * 0.8 + 0.1)
    assert _b_f1(y, perfect) == 1.0
    assert _offsets(y, perfect, np.arange(300)) == pytest.approx(np.zeros(3))  # ties keep no offset
    biased = perfect.copy()
    biased[:, 0] += 3.0  # class 0 wins everywhere: macro-F1 collapses
    b = _offsets(y, biased, np.arange(300))
    assert _b_f1(y, biased + b) > _b_f1(y, biased) + 0.3


def test_graph_names_map_to_one_cached_scorer_per_file() -> None:
    if not accurate.available():
        pytest.skip("the accurate tier's files are not built")
    info = accurate.settings()
    cats = accurate.category_files(info)
    assert accurate.graph_scorer(cats[0], MODELS_DIR, 2) is accurate.scorer("category", MODELS_DIR, 2)  # seed 0's B graph
    assert accurate.graph_scorer("accurate-sexism-mpnet.onnx", MODELS_DIR, 2) is accurate.scorer("sexism", MODELS_DIR, 2, "-mpnet")
    assert accurate.onnx_name("sexism", "-s1") == "accurate-sexism-s1.onnx"
    files = accurate.sexism_files(info)
    assert files and all(f.startswith("accurate-sexism") for f in files)

    def pinned(names: list[str]) -> bool:  # every piece of every file is pinned by hash
        return all(accurate.parts(MODELS_DIR / n) and {p.name for p in accurate.parts(MODELS_DIR / n)} <= set(info["sha256"]) for n in names)

    assert pinned(files)
    assert cats and all(f.startswith("accurate-category") for f in cats) and pinned(cats)
    assert pinned(accurate.stance_files(info))


def test_category_graphs_default_to_the_single_fine_tune() -> None:
    """Settings written before EDOS B could average seeds name no graphs: the one file is meant."""
    assert accurate.category_files({"category": {"weight": 0.5}}) == ["accurate-category.onnx"]
    two = ["accurate-category.onnx", "accurate-category-s1.onnx"]
    assert accurate.category_files({"category": {"graphs": two}}) == two


def test_edos_c_vectors_fall_in_their_categories() -> None:
    names, groups = vectors()
    cats = categories()
    assert len(names) == 11 and sorted(set(groups)) == [0, 1, 2, 3]
    for name, g in zip(names, groups, strict=True):
        assert cats[g].split(".")[0] == name.split(".")[0]


def test_make_target_runs_the_recorded_build_commands() -> None:
    """`make accurate-model` and accurate.json's `commands` (train_accurate.BUILD) must not drift apart."""
    from pathlib import Path

    from train_accurate import BUILD

    makefile = Path(__file__).resolve().parents[2] / "Makefile"
    if not makefile.exists():
        pytest.skip("not a source checkout")
    lines = [ln.split("$(BIN)/python ", 1)[1].strip() for ln in makefile.read_text().splitlines() if "scripts/train/train_accurate.py" in ln]
    assert lines == [c.removeprefix("python ") for c in BUILD]


def test_edos_a_through_the_vectors_has_twelve_outputs() -> None:
    """`--task sexism --vectors`: output 0 is `not sexist`, outputs 1-11 the vectors, summed into `sexist`."""
    from train_accurate import vector_targets

    from tagscope.classify import datasets

    target, groups = vector_targets("sexism")
    assert groups == [0] + [1] * 11
    rows = datasets.rows("edos", "train")
    assert len(target) == len(rows)
    sexist = np.array([r["a"] == "sexist" for r in rows])
    assert (target[~sexist] == -1).all()  # no vector loss for posts that are not sexist
    assert ((target[sexist] >= 1) & (target[sexist] <= 11)).all()
    names, _ = vectors()
    first = int(np.argmax(sexist))
    assert names[target[first] - 1] == rows[first]["c"]


def test_vector_loss_skips_posts_without_a_vector() -> None:
    torch = pytest.importorskip("torch")
    from train_accurate import vector_loss

    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 1.0]])
    alone = torch.nn.functional.cross_entropy(logits[1:2], torch.tensor([1]))
    assert float(vector_loss(logits, torch.tensor([-1, 1, -1]))) == pytest.approx(float(alone))
    assert float(vector_loss(logits, torch.tensor([-1, -1, -1]))) == 0.0
    both = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2]))
    assert float(vector_loss(logits, torch.tensor([0, 1, 2]))) == pytest.approx(float(both))


def test_calibration_compares_every_set_of_edos_a_graphs() -> None:
    from calibrate_accurate import sexism_sets

    assert sexism_sets("a", []) == [("a",)]
    sets = sexism_sets("a", ["b", "c"], most=None)
    assert len(sets) == 7 and len(set(sets)) == 7
    assert ("b",) in sets and ("a", "b", "c") in sets
    assert all(s[0] == "a" for s in sets if "a" in s)
    two = sexism_sets("a", ["b", "c"], most=2)  # the size budget: at most two graphs per task
    assert len(two) == 6 and max(map(len, two)) == 2


def test_stance_head_reads_the_averaged_embedding_of_its_graphs() -> None:
    """A regression over several graphs' embeddings sees their mean (graphs `sexism` runs anyway)."""
    from calibrate_accurate import stance_candidates

    @dataclass
    class Embeds:
        e: float

        def outputs(self, texts: list[str]) -> dict[str, np.ndarray]:
            return {"p": np.zeros((len(texts), 3), np.float32), "e": np.full((len(texts), 384), self.e, np.float32)}

    coef = np.zeros((384, 3), np.float32)
    coef[0] = [0.0, 1.0, -1.0]
    reg = accurate.StanceHead(np.zeros(384, np.float32), np.ones(384, np.float32), coef, np.zeros(3, np.float32))
    two = accurate.MixedHead(CLASSES, Embeds(1.0), FixedFast([1 / 3] * 3), 1.0, reg, more=(Embeds(3.0),))  # type: ignore[arg-type]
    assert two.proba(Batch(["x"]))[0] == pytest.approx(reg.proba(np.full((1, 384), 2.0, np.float32))[0])
    assert stance_candidates(["a"]) == [("a",)]
    assert stance_candidates(["a", "b"]) == [("a",), ("b",), ("a", "b")]
    info = {"stance": {"encoder": "sexism", "graphs": ["a", "b"]}}
    assert accurate.stance_files(info) == ["a", "b", accurate.STANCE_NPZ]
    assert accurate.stance_files({"stance": {"encoder": "sexism"}}) == [accurate.onnx_name("sexism"), accurate.STANCE_NPZ]


def test_fast_category_f1_equals_sklearns_macro_f1() -> None:
    """The calibration's count-based macro-F1 must score exactly as the reported metric does."""
    from tagscope.classify.base import macro_f1

    rng = np.random.default_rng(0)
    for n, k in [(50, 4), (7, 4), (300, 3)]:
        y = rng.integers(0, k - 1 if n == 7 else k, n)  # n == 7: a class absent from gold
        scores = rng.random((n, k))
        idx = rng.choice(n, n // 2 + 1, replace=False)
        for rows in (None, idx):
            r = np.arange(n) if rows is None else rows
            want = macro_f1([str(v) for v in y[r]], [str(v) for v in scores[r].argmax(1)], labels=[str(c) for c in range(k)])
            assert _b_f1(y, scores, rows) == want


def test_large_files_ship_in_parts_and_read_back_whole(tmp_path, monkeypatch) -> None:
    """An mpnet graph (84 MB) is committed as pieces under 20 MB; readers join them in memory."""
    monkeypatch.setattr(model_parts, "PART_BYTES", 10)
    graph = tmp_path / "accurate-sexism-mpnet.onnx"
    data = bytes(range(256)) * 2  # 512 bytes: 52 pieces, so piece 10 must sort after piece 9
    written = model_parts.write_parts(graph, data)
    assert len(written) == 52 and not graph.exists() and all(p.stat().st_size <= 10 for p in written)
    assert accurate.parts(graph) == written and accurate.read_bytes(graph) == data
    (tmp_path / "accurate-sexism-ls1.onnx").write_bytes(b"small")
    assert model_parts.graph_names(tmp_path, "sexism") == ["accurate-sexism-ls1.onnx", "accurate-sexism-mpnet.onnx"]
    assert model_parts.write_parts(graph, b"tiny") == [graph]  # a smaller rebuild replaces the pieces
    assert accurate.parts(graph) == [graph] and not list(tmp_path.glob("*.part*"))
    model_parts.remove(graph)
    assert accurate.parts(graph) == []
    with pytest.raises(FileNotFoundError):
        accurate.read_bytes(graph)


def test_split_embedding_table_loads_like_a_whole_one(tmp_path, monkeypatch) -> None:
    import io

    q = np.arange(-60, 60, dtype=np.int8).reshape(20, 6)
    scale = np.linspace(0.1, 2.0, 20, dtype=np.float32)
    buf = io.BytesIO()
    np.savez(buf, q=q, scale=scale)
    monkeypatch.setattr(model_parts, "PART_BYTES", 256)
    path = tmp_path / "accurate-mpnet-embeddings.npz"
    assert len(model_parts.write_parts(path, buf.getvalue())) > 1
    got_q, got_scale = accurate.embeddings(path)
    assert np.array_equal(got_q, q) and np.array_equal(got_scale, scale)


def test_each_graph_reads_the_tokenizer_and_table_of_its_encoder() -> None:
    assert accurate.base_of("accurate-sexism-mpnet.onnx") == "mpnet"
    assert accurate.base_of("accurate-category-mpnet-s1.onnx") == "mpnet"
    assert accurate.base_of("accurate-sexism-ls1.onnx") == accurate.base_of("accurate-sexism.onnx") == "minilm"
    assert accurate.base_files(["accurate-sexism.onnx", "accurate-sexism-ls1.onnx"]) == [accurate.TOKENIZER, accurate.EMBEDDINGS]
    assert accurate.base_files(["accurate-sexism-mpnet.onnx", "accurate-sexism.onnx"]) == [*accurate.BASES["mpnet"], *accurate.BASES["minilm"]]
    info = {"sexism": {"graphs": ["accurate-sexism-mpnet.onnx"]}, "category": {"graphs": ["accurate-category.onnx"]},
            "stance": {"encoder": "sexism", "graphs": ["accurate-sexism-mpnet.onnx"]}}
    assert set(accurate.files(info)) == {accurate.INFO, *accurate.BASES["mpnet"], *accurate.BASES["minilm"], accurate.STANCE_NPZ,
                                         "accurate-sexism-mpnet.onnx", "accurate-category.onnx"}


def test_stance_averages_embeddings_only_within_one_encoder() -> None:
    """MiniLM (384) and mpnet (768) embeddings live in different spaces: never averaged together."""
    from calibrate_accurate import stance_candidates

    a, b, m = "accurate-sexism.onnx", "accurate-sexism-ls1.onnx", "accurate-sexism-mpnet.onnx"
    assert stance_candidates([a, b, m]) == [(a,), (b,), (m,), (a, b)]
    assert stance_candidates([a, m]) == [(a,), (m,)]


def test_a_split_file_versions_like_the_whole_file(tmp_path, monkeypatch) -> None:
    """Label versions name six hex digits per file: a file shipped in pieces counts once, as if whole."""
    data = bytes(range(200)) * 3
    (tmp_path / "whole").mkdir()
    (tmp_path / "whole" / "g.onnx").write_bytes(data)
    monkeypatch.setattr(model_parts, "PART_BYTES", 64)
    assert len(model_parts.write_parts(tmp_path / "g.onnx", data)) == 10
    version = accurate._version(tmp_path, "g.onnx")
    assert version == accurate._version(tmp_path / "whole", "g.onnx") and len(version) == len("accurate-") + 6


def test_calibration_finds_every_stance_fine_tune_and_the_run_time_reads_its_own(tmp_path, monkeypatch) -> None:
    """A tagged stance fine-tune (``--tag=-mpnet``, shipped in pieces) is a candidate like the untagged one;
    when chosen, the tier reads that graph and its encoder's files, not the regression's npz."""
    from calibrate_accurate import stance_tunes

    assert stance_tunes(tmp_path) == []
    (tmp_path / "accurate-stance.onnx").write_bytes(b"minilm")
    monkeypatch.setattr(model_parts, "PART_BYTES", 4)
    model_parts.write_parts(tmp_path / "accurate-stance-mpnet.onnx", b"0123456789")
    (tmp_path / "accurate-sexism-mpnet.onnx").write_bytes(b"not a stance graph")
    assert stance_tunes(tmp_path) == ["accurate-stance.onnx", "accurate-stance-mpnet.onnx"]
    info = {"sexism": {"graphs": ["accurate-sexism-mpnet.onnx"]}, "category": {"graphs": ["accurate-category.onnx"]},
            "stance": {"encoder": "stance", "graphs": ["accurate-stance-mpnet.onnx"]}}
    assert accurate.stance_files(info) == ["accurate-stance-mpnet.onnx"]
    assert accurate.STANCE_NPZ not in accurate.files(info) and "accurate-stance-mpnet.onnx" in accurate.files(info)


def test_a_stance_candidate_with_its_own_graph_must_win_by_the_margin() -> None:
    from calibrate_accurate import EXTRA_GRAPH_MARGIN, stance_choice

    reg, tune = ("accurate-sexism-mpnet.onnx", 0.01, 0.25), ("accurate-stance-mpnet.onnx", 0.0, 0.5)
    close = {reg: 0.6570, tune: 0.6586}  # session 9's measurement: +0.0016 keeps the regression
    assert stance_choice(close, {tune[0]}) == (reg, 0.6570)
    clear = {reg: 0.6570, tune: 0.6570 + EXTRA_GRAPH_MARGIN + 0.001}
    assert stance_choice(clear, {tune[0]})[0] == tune
    assert stance_choice(close, set())[0] == tune  # no extra cost: the best wins
    assert stance_choice({tune: 0.6}, {tune[0]})[0] == tune  # nothing free to compare with
