"""The same matching on a dask.distributed cluster, for a province of 10M+ children.

Every step that grows with the number of records runs on the workers, partition by partition:
features (:func:`.features.prepare`), blocking (a shuffle on each blocking key, then the pairs
inside each block — a block is never split across partitions), the ID repair join, the
comparison of each candidate pair (both records' features are joined to it), the counts of
level patterns for EM, and scoring. The client only receives small things: pattern counts,
the features of the random pairs that estimate ``u``, value frequencies, and the pairs that
score at least 待复核. It then clusters them exactly as the local engine does, so both
engines give the same pairs.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from .blocking import BlockingReport, pairs_within, rule_name
from .compare import compare
from .core import (
    DOUBT_CAP,
    REVIEW,
    SIBLING_CAP,
    MatchResult,
    Scorer,
    _decision_positions,
    doubt_mask,
    finish,
    sibling_mask,
)
from .em import Model, fit_spec, match_weight, probability, sample_pairs, u_from_pairs
from .features import MatchSpec, prepare
from .idrepair import repair_candidates

_SEP = "\x1f"


def _client(scheduler: str | None):
    from distributed import Client, LocalCluster
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def _prepare_part(part: pd.DataFrame, spec: MatchSpec) -> pd.DataFrame:
    f = prepare(part, spec)
    f["_pos"] = part["_pos"].to_numpy()
    return f


def _key_part(f: pd.DataFrame, rule: tuple[str, ...], source: bool) -> pd.DataFrame:
    parts = [f[c].astype(object) for c in rule]
    key = parts[0]
    empty = parts[0] == ""
    for p in parts[1:]:
        key = key + _SEP + p
        empty |= p == ""
    out = pd.DataFrame({"_pos": f["_pos"].to_numpy(), "_b": key.to_numpy(dtype=object)})
    if source:
        out["_source"] = f["_source"].to_numpy()
    return out[~empty.to_numpy()]


def _pairs_part(part: pd.DataFrame, max_block: int, source: bool, window: int = 0
                ) -> pd.DataFrame:
    codes, _ = pd.factorize(part["_b"])
    # an oversized block: each record with its next ``window`` records in the partition's
    # order (the local engine sorts them by the name's sound first)
    i, j, _ = pairs_within(np.asarray(codes, np.int64), max_block, window)
    pos = part["_pos"].to_numpy(np.int64)
    if source:
        src = part["_source"].to_numpy(dtype=object)
        keep = src[i] != src[j]
        i, j = i[keep], j[keep]
    a, b = pos[i], pos[j]
    return pd.DataFrame({"i": np.minimum(a, b), "j": np.maximum(a, b)})


def _repair_part(f: pd.DataFrame, id_col: str, birth_col: str | None,
                 sex_col: str | None) -> pd.DataFrame:
    birth = None
    if birth_col:
        birth = pd.to_datetime(f[birth_col].where(f[birth_col] != ""), format="%Y%m%d",
                               errors="coerce")
    c = repair_candidates(f[id_col].reset_index(drop=True), birth.reset_index(drop=True)
                          if birth is not None else None,
                          f[sex_col].reset_index(drop=True) if sex_col else None)
    return pd.DataFrame({"_pos": f["_pos"].to_numpy()[c["row"].to_numpy()],
                         "candidate": c["candidate"].to_numpy(dtype=object)})


def _levels_part(joined: pd.DataFrame, spec: MatchSpec, cols: list[str]) -> pd.DataFrame:
    m = len(joined)
    local = pd.DataFrame({c: np.concatenate([joined["a" + _SEP + c].to_numpy(dtype=object),
                                             joined["b" + _SEP + c].to_numpy(dtype=object)])
                          for c in cols})
    lv = compare(local, spec, np.arange(m), np.arange(m) + m)
    lv.insert(0, "i", joined["i"].to_numpy(np.int64))
    lv.insert(1, "j", joined["j"].to_numpy(np.int64))
    for fs in spec.fields:
        if fs.tf:
            lv["tf" + _SEP + fs.column] = joined["a" + _SEP + fs.column].to_numpy(dtype=object)
    return lv


def _score_part(lv: pd.DataFrame, spec: MatchSpec, model: Model, tf_maps: dict[str, pd.Series],
                decided: np.ndarray) -> pd.DataFrame:
    levels = lv[[fs.column for fs in spec.fields]].reset_index(drop=True)
    idx = np.arange(len(lv))
    tf = {c: lv["tf" + _SEP + c].map(vc).to_numpy(dtype=np.float64) for c, vc in tf_maps.items()}
    p = probability(match_weight(model, spec, levels, idx, tf))
    p = np.where(sibling_mask(spec, levels), np.minimum(p, SIBLING_CAP), p)
    p = np.where(doubt_mask(spec, levels), np.minimum(p, DOUBT_CAP), p)
    keys = lv["i"].to_numpy(np.int64) * (2**31) + lv["j"].to_numpy(np.int64)
    keep = (p >= REVIEW) | np.isin(keys, decided)
    out = lv.loc[keep, ["i", "j"]].reset_index(drop=True)
    return pd.concat([out, levels[keep].reset_index(drop=True)], axis=1).assign(_p=p[keep])


def match_dask(df: pd.DataFrame, spec: MatchSpec, *, decisions: pd.DataFrame | None = None,
               progress: bool = False, scheduler: str | None = None,
               npartitions: int | None = None, u_sample: int = 100_000) -> MatchResult:
    """:func:`xueji_audit.matching.match` on dask.distributed (``scheduler`` address, else a
    LocalCluster of 2 worker processes started for this call)."""
    import dask.dataframe as dd
    t0 = time.perf_counter()
    client, cluster = _client(scheduler)
    try:
        return _run(dd, client, df, spec, decisions, progress, npartitions, u_sample, t0)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run(dd, client, df, spec, decisions, progress, npartitions, u_sample, t0) -> MatchResult:
    n = len(df)
    base = df.reset_index(drop=True).assign(_pos=np.arange(n, dtype=np.int64))
    nparts = npartitions or max(2, n // 200_000)
    ddf = dd.from_pandas(base, npartitions=nparts)
    feats = ddf.map_partitions(_prepare_part, spec, meta=_prepare_part(base.iloc[:0], spec))
    feats = client.persist(feats)
    cols = [c for c in feats.columns if c != "_pos"]
    report, timings = BlockingReport(), {}

    frames = []
    for rule in spec.blocks:
        keyed = feats.map_partitions(_key_part, rule, bool(spec.source),
                                     meta=_key_part(feats._meta, rule, bool(spec.source)))
        keyed = keyed.shuffle("_b", npartitions=nparts)
        frames.append(keyed.map_partitions(_pairs_part, spec.max_block, bool(spec.source), spec.window,
                                           meta={"i": np.int64, "j": np.int64}))
    for id_col, birth_col, sex_col in spec.repair:
        cand = feats.map_partitions(_repair_part, id_col, birth_col, sex_col,
                                    meta={"_pos": np.int64, "candidate": object})
        target = feats[["_pos", f"{id_col}:id18"]].rename(
            columns={"_pos": "_other", f"{id_col}:id18": "candidate"})
        hits = cand.merge(target[target["candidate"] != ""], on="candidate")
        hits = hits[hits["_pos"] != hits["_other"]]
        frames.append(hits.map_partitions(lambda h: pd.DataFrame({
            "i": np.minimum(h["_pos"], h["_other"]).to_numpy(np.int64),
            "j": np.maximum(h["_pos"], h["_other"]).to_numpy(np.int64)}),
            meta={"i": np.int64, "j": np.int64}))
    dec = _decisions_by_position(feats, decisions)
    if dec:
        extra = pd.DataFrame([(min(a, b), max(a, b)) for a, b in dec], columns=["i", "j"])
        frames.append(dd.from_pandas(extra, npartitions=1))
    pairs = dd.concat(frames).drop_duplicates(split_out=nparts)
    pairs = client.persist(pairs)
    report.candidate_pairs = int(len(pairs))
    for rule, fr in zip(spec.blocks, frames, strict=False):
        report.pairs_per_rule[rule_name(rule)] = -1  # not counted separately on a cluster
        del fr
    timings["blocking"] = time.perf_counter() - t0

    fa = feats.rename(columns={c: "a" + _SEP + c for c in cols})
    fb = feats.rename(columns={c: "b" + _SEP + c for c in cols})
    joined = pairs.merge(fa, left_on="i", right_on="_pos").drop(columns="_pos")
    joined = joined.merge(fb, left_on="j", right_on="_pos").drop(columns="_pos")
    lv_meta = _levels_part(
        pd.DataFrame({**{"i": pd.Series(dtype=np.int64), "j": pd.Series(dtype=np.int64)},
                      **{f"{s}{_SEP}{c}": pd.Series(dtype=object) for s in "ab" for c in cols}}),
        spec, cols)
    levels = client.persist(joined.map_partitions(_levels_part, spec, cols, meta=lv_meta))
    timings["compare"] = time.perf_counter() - t0 - sum(timings.values())

    model = _train(client, feats, levels, spec, n, u_sample)
    tf_maps = {fs.column: feats[fs.column].value_counts().compute() / n
               for fs in spec.fields if fs.tf}
    dec_keys = np.array([min(a, b) * (2**31) + max(a, b) for a, b in dec], dtype=np.int64)
    scored = levels.map_partitions(_score_part, spec, model, tf_maps, dec_keys,
                                   meta=_score_part(lv_meta, spec, model, tf_maps, dec_keys))
    kept = scored.compute().sort_values(["i", "j"]).reset_index(drop=True)
    timings["score"] = time.perf_counter() - t0 - sum(timings.values())

    # bring back the features of the records in a kept pair; positions become local
    members = np.unique(np.r_[kept["i"].to_numpy(), kept["j"].to_numpy()])
    sub = feats[feats["_pos"].isin(members)].compute().sort_values("_pos")
    local = pd.Series(np.arange(len(sub)), index=sub["_pos"].to_numpy())
    i = local.reindex(kept["i"].to_numpy()).to_numpy(np.int64)
    j = local.reindex(kept["j"].to_numpy()).to_numpy(np.int64)
    sub_feats = sub.drop(columns="_pos").reset_index(drop=True)
    tf = {c: sub_feats[c].map(vc).to_numpy(dtype=np.float64) for c, vc in tf_maps.items()}
    sub_dec = {(int(local[a]), int(local[b])): v for (a, b), v in dec.items()
               if a in local.index and b in local.index}
    scorer = Scorer(sub_feats, spec, model, sub_dec, tf)
    lv = kept[[fs.column for fs in spec.fields]].reset_index(drop=True)
    p = scorer.probability(i, j, lv)
    return finish(sub_feats, spec, scorer, i, j, lv, p, report, timings, t0, n_total=n)


def _decisions_by_position(feats, decisions) -> dict[tuple[int, int], bool]:
    if decisions is None or len(decisions) == 0:
        return {}
    keys = set(decisions["key_a"]) | set(decisions["key_b"])
    rows = feats[feats["_key"].isin(list(keys))][["_key", "_pos"]].compute()
    pos = rows.drop_duplicates("_key").set_index("_key")["_pos"]
    d = _decision_positions(pd.Series(pos.index), decisions)  # positions within `pos`
    return {(int(pos.iloc[a]), int(pos.iloc[b])): v for (a, b), v in d.items()}


def _train(client, feats, levels, spec: MatchSpec, n: int, u_sample: int) -> Model:
    """u from the same random pairs as the local engine; EM on summed pattern counts."""
    si, sj = sample_pairs(n, u_sample)
    need = np.unique(np.r_[si, sj])
    rows = feats[feats["_pos"].isin(need)].compute().sort_values("_pos")
    local = pd.Series(np.arange(len(rows)), index=rows["_pos"].to_numpy())
    u = u_from_pairs(rows.drop(columns="_pos").reset_index(drop=True), spec,
                     local.reindex(si).to_numpy(np.int64), local.reindex(sj).to_numpy(np.int64))
    field_cols = [fs.column for fs in spec.fields]

    def counts(lv: pd.DataFrame) -> pd.DataFrame:
        keep = ~sibling_mask(spec, lv[field_cols].reset_index(drop=True))
        g = lv.loc[keep, field_cols].value_counts().rename("n").reset_index()
        return g

    meta = pd.DataFrame({**{c: pd.Series(dtype=np.int8) for c in field_cols},
                         "n": pd.Series(dtype=np.int64)})
    pc = levels.map_partitions(counts, meta=meta).compute()
    pc = pc.groupby(field_cols, sort=True)["n"].sum().reset_index()
    uniq = pc[field_cols].to_numpy(dtype=np.int16)
    total = n * (n - 1) / 2
    if spec.source:
        sizes = feats["_source"].value_counts().compute()
        total = float(sizes.iloc[0]) * float(sizes.iloc[1:].sum())
    return fit_spec(spec, uniq, pc["n"].to_numpy(np.int64), u, total)
