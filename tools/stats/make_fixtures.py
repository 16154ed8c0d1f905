#!/usr/bin/python3
"""Exact reference values for harness/stats/ (test/harness/stats/*.test.ts).

Run with Debian's python3 (scipy 1.10):   /usr/bin/python3 tools/stats/make_fixtures.py
Writes test/fixtures/stats/<name>.json. Deterministic: numpy's generator is seeded per case,
so a re-run writes identical bytes. Never run at test time.

Where scipy has the function, scipy computes the value. Where it does not (scipy 1.10 has no
log-rank test, no Kaplan-Meier estimator, no group-sequential boundaries, and its exact
Wilcoxon distribution ignores ties), the value comes from an implementation written here
independently of the TypeScript one, by a different method where there is one:
  - Wilcoxon with ties or zeros: enumeration of all 2^n sign assignments;
  - log-rank: a direct loop over event times, checked against the published 6-MP/placebo
    result (Freireich et al. 1963; R survival::survdiff: chi-square 16.8 on 1 df);
  - Kaplan-Meier: the product-limit loop, checked against the textbook 6-MP values;
  - group-sequential boundaries: multivariate normal rectangle probabilities (Genz, scipy's
    multivariate_normal.cdf) of the Z statistics' joint law, where the TypeScript code
    integrates numerically look by look; checked against published Lan-DeMets values;
  - bootstrap: the exact bootstrap distribution by enumerating all n^n resamples;
  - power: the exact power of Fisher's test by enumerating both binomials.
"""
import itertools
import json
import math
import os
import sys
import warnings

import numpy as np
from scipy import optimize, special, stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'stats')


def num(x):
    """JSON has no NaN or infinities: write them as strings, as fxbench's records do."""
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def write(name, data):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'{name}: {len(data["cases"])} cases -> {os.path.relpath(path)}')


def rng(label):
    return np.random.default_rng(abs(hash_label(label)))


def hash_label(s):
    h = 0x811C9DC5
    for ch in s.encode():
        h = ((h ^ ch) * 0x01000193) & 0xFFFFFFFF
    return h


# --- distributions ---------------------------------------------------------------------

def distributions():
    cases = []
    for x in [-8.5, -3.2, -1.959963984540054, -1, -0.1, 0, 0.3, 1, 2.5, 6, 9]:
        cases.append({'fn': 'normalCdf', 'args': [x], 'value': num(stats.norm.cdf(x))})
    for p in [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.8, 0.975, 0.999, 1 - 1e-9]:
        cases.append({'fn': 'normalQuantile', 'args': [p], 'value': num(stats.norm.ppf(p))})
    for a, x in [(0.5, 0.1), (0.5, 2), (1, 1), (2.5, 0.7), (3, 8), (10, 4), (10, 15), (50, 45), (0.5, 30)]:
        cases.append({'fn': 'regularizedGammaP', 'args': [a, x], 'value': num(special.gammainc(a, x))})
        cases.append({'fn': 'regularizedGammaQ', 'args': [a, x], 'value': num(special.gammaincc(a, x))})
    for x, k in [(0.5, 1), (3.841458820694124, 1), (16.79, 1), (6, 2), (11.07, 5), (2, 7), (40, 3)]:
        cases.append({'fn': 'chiSquaredSf', 'args': [x, k], 'value': num(stats.chi2.sf(x, k))})
    for t, df, ncp in [(2.0, 5, 1.0), (1.5, 3, 2.5), (-1, 10, 0.5), (2.776, 4, 3.2), (0.3, 2, -1.0), (4, 19, 3.5), (2.1, 9, 0), (12.7, 1, 4.0), (-2.3, 7, -3.0), (3, 30, 6)]:
        cases.append({'fn': 'noncentralTCdf', 'args': [t, df, ncp], 'value': num(stats.nct.cdf(t, df, ncp))})
    write('distributions', {'scipy': __import__('scipy').__version__, 'cases': cases})


# --- Fisher's exact test ---------------------------------------------------------------

def fisher():
    tables = [
        [[6, 2], [1, 4]], [[8, 2], [1, 5]], [[3, 3], [3, 3]], [[1, 2], [2, 1]], [[5, 0], [0, 5]],
        [[0, 5], [5, 0]], [[3, 0], [0, 3]], [[20, 0], [0, 20]], [[12, 8], [3, 17]], [[1, 9], [11, 3]],
        [[0, 3], [2, 1]], [[10, 10], [10, 10]], [[100, 50], [60, 90]], [[2, 7], [8, 2]], [[7, 3], [3, 7]],
        [[0, 5], [0, 5]], [[4, 0], [2, 0]], [[1, 0], [0, 0]], [[19, 1], [1, 19]], [[5, 15], [15, 5]],
        [[0, 10], [4, 6]], [[3, 2], [2, 3]], [[9, 1], [3, 7]],
    ]
    cases = []
    for t in tables:
        odds, p = stats.fisher_exact(t, alternative='two-sided')
        cases.append({'table': t, 'p': num(p), 'oddsRatio': num(odds)})
    write('fisher', {'scipy': __import__('scipy').__version__, 'cases': cases})


# --- paired t, TOST, Hedges' g ----------------------------------------------------------

def paired_samples():
    out = []
    for n in [2, 3, 4, 5, 8, 12, 20]:
        g = rng(f'paired-{n}')
        x = g.normal(0.5, 0.2, n).round(4)
        y = (x - g.normal(0.1, 0.15, n)).round(4)
        out.append((x.tolist(), y.tolist()))
    out.append(([1.0, 0.9, 1.0, 0.95], [0.26, 0.3, 0.22, 0.25]))
    out.append(([0.1, 0.2, 0.3], [0.15, 0.18, 0.33]))
    return out


def ttest_cases():
    cases = []
    for x, y in paired_samples():
        r = stats.ttest_rel(x, y)
        cases.append({'x': x, 'y': y, 't': num(r.statistic), 'df': len(x) - 1, 'p': num(r.pvalue)})
    write('pairedTTest', {'scipy': __import__('scipy').__version__, 'cases': cases})


def tost_cases():
    cases = []
    for (x, y), margin in zip(paired_samples(), [0.3, 0.2, 0.1, 0.25, 0.15, 0.2, 0.05, 0.8, 0.1]):
        d = np.array(x) - np.array(y)
        lower = stats.ttest_1samp(d, -margin, alternative='greater').pvalue  # H0: mean <= -margin
        upper = stats.ttest_1samp(d, margin, alternative='less').pvalue  # H0: mean >= margin
        cases.append({'x': x, 'y': y, 'margin': margin, 'p': num(max(lower, upper)), 'pLower': num(lower), 'pUpper': num(upper)})
    write('tost', {'scipy': __import__('scipy').__version__, 'cases': cases})


def hedges_j(df):
    """Exact small-sample correction J(df) = Γ(df/2) / (√(df/2) Γ((df-1)/2))."""
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def hedges_cases():
    cases = []
    for i, (n1, n2) in enumerate([(3, 3), (5, 5), (4, 7), (10, 10), (20, 12)]):
        g = rng(f'hedges-{i}')
        x = g.normal(1.0, 0.5, n1).round(4).tolist()
        y = g.normal(0.4, 0.6, n2).round(4).tolist()
        df = n1 + n2 - 2
        sp = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / df)
        d = (np.mean(x) - np.mean(y)) / sp
        cases.append({'kind': 'independent', 'x': x, 'y': y, 'g': num(d * hedges_j(df)), 'd': num(d), 'J': num(hedges_j(df))})
    for x, y in paired_samples():
        diff = np.array(x) - np.array(y)
        df = len(x) - 1
        dz = np.mean(diff) / np.std(diff, ddof=1)
        cases.append({'kind': 'paired', 'x': x, 'y': y, 'g': num(dz * hedges_j(df)), 'd': num(dz), 'J': num(hedges_j(df))})
    write('hedgesG', {'scipy': __import__('scipy').__version__, 'cases': cases})


# --- Wilcoxon signed-rank ---------------------------------------------------------------

def rankdata_abs(d):
    return stats.rankdata(np.abs(d))


def wilcoxon_enumerated(d):
    """Two-sided exact p by enumerating every sign assignment of the nonzero |d| (midranks for ties)."""
    d = np.array([v for v in d if v != 0], dtype=float)
    n = len(d)
    if n == 0:
        return 1.0
    r = rankdata_abs(d)
    observed = float(np.sum(r[d > 0]))
    centre = n * (n + 1) / 4
    dev = abs(observed - centre)
    extreme = 0
    for signs in itertools.product([0, 1], repeat=n):
        s = float(np.dot(signs, r))
        if abs(s - centre) >= dev - 1e-9:
            extreme += 1
    return min(1.0, extreme / 2 ** n)


def wilcoxon_cases():
    cases = []
    # Tie-free and zero-free: scipy's exact distribution.
    for n in [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30]:
        g = rng(f'wilcoxon-{n}')
        x = g.normal(0.3, 1, n)
        y = g.normal(0, 1, n)
        d = x - y
        assert len(set(np.abs(d).round(12))) == n and np.all(d != 0)
        p = stats.wilcoxon(x, y, method='exact').pvalue
        if n <= 16:  # the enumeration agrees with scipy where there is nothing to condition on
            assert abs(p - wilcoxon_enumerated(d)) < 1e-12, (n, p)
        cases.append({'x': x.round(12).tolist(), 'y': y.round(12).tolist(), 'p': num(p), 'method': 'exact', 'source': 'scipy'})
    # Ties and zeros (dropped): enumeration, conditional on the tie pattern.
    for x, y in [
        ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]),  # all differences 1: ties everywhere
        ([1, 1, 1, 0.5, 2, 3], [0, 1, 0, 1, 1, 1]),  # a zero and ties
        ([0.9, 0.8, 1.0, 0.7, 0.6, 1.0, 0.95], [0.25, 0.8, 0.3, 0.2, 0.6, 0.25, 0.3]),  # zeros and ties
        ([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]),
        ([1, 2, 3], [1, 2, 3]),  # every difference zero
        ([2, 2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ([5, 4, 6, 7, 3, 8, 2, 5, 6, 4, 7, 1], [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]),
    ]:
        d = np.array(x, dtype=float) - np.array(y, dtype=float)
        cases.append({'x': x, 'y': y, 'p': num(wilcoxon_enumerated(d)), 'method': 'exact', 'source': 'enumeration'})
    # Large n: the normal approximation with scipy's tie correction (no continuity correction).
    for n, tied in [(60, False), (80, True)]:
        g = rng(f'wilcoxon-large-{n}')
        x = g.normal(0.2, 1, n)
        y = g.normal(0, 1, n)
        if tied:
            x, y = np.round(x * 10), np.round(y * 10)  # integers: the differences are exact, so ties are real
        p = stats.wilcoxon(x, y, method='approx', zero_method='wilcox', correction=False).pvalue
        cases.append({'x': x.round(12).tolist(), 'y': y.round(12).tolist(), 'p': num(p), 'method': 'approx', 'source': 'scipy'})
    write('wilcoxon', {'scipy': __import__('scipy').__version__, 'cases': cases})


# --- Holm -------------------------------------------------------------------------------

def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        adj[i] = running
    return adj


def holm_cases():
    sets = [
        [0.01, 0.04, 0.03, 0.005],
        [0.5],
        [0.001, 0.2, 0.8, 0.04, 0.012, 0.3, 0.0004, 0.05, 0.6, 0.02, 0.9, 0.07],
        [0.3, 0.3, 0.3],
        [0.02, 0.02, 0.5, 0.001],
        [],
    ]
    write('holm', {'cases': [{'p': s, 'adjusted': holm(s)} for s in sets]})


# --- bootstrap --------------------------------------------------------------------------

def bootstrap_cases():
    cases = []
    for x, y in [([0.9, 0.4, 0.75, 1.0], [0.3, 0.35, 0.2, 0.5]), ([1.0, 0.25, 1.0, 0.25, 0.9], [0.25, 0.25, 0.3, 0.28, 0.25])]:
        d = np.array(x) - np.array(y)
        n = len(d)
        dist = {}
        for idx in itertools.product(range(n), repeat=n):
            v = round(float(np.mean(d[list(idx)])), 12)
            dist[v] = dist.get(v, 0) + 1
        atoms = sorted(dist)
        cases.append({'x': x, 'y': y, 'statistic': 'mean difference', 'atoms': atoms, 'probabilities': [dist[a] / n ** n for a in atoms]})
    write('bootstrap', {'cases': cases})


# --- survival: Kaplan-Meier and log-rank ------------------------------------------------

SIX_MP = {
    'name': '6-MP vs placebo (Freireich et al. 1963)',
    'groups': [
        {'label': '6-MP', 'times': [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35],
         'events': [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]},
        {'label': 'placebo', 'times': [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23], 'events': [1] * 21},
    ],
}


def kaplan_meier(times, events, z=1.959963984540054):
    """Product limit with Greenwood's variance and log-log intervals; one row per event time."""
    t = np.array(times, dtype=float)
    e = np.array(events, dtype=int)
    rows = []
    s = 1.0
    greenwood = 0.0
    for u in sorted(set(t[e == 1])):
        at_risk = int(np.sum(t >= u))
        d = int(np.sum((t == u) & (e == 1)))
        s *= 1 - d / at_risk
        if at_risk > d:
            greenwood += d / (at_risk * (at_risk - d))
        if 0 < s < 1:
            se = math.sqrt(greenwood) / abs(math.log(s))
            lo, hi = s ** math.exp(z * se), s ** math.exp(-z * se)
        else:
            lo, hi = (s, s)
        rows.append({'time': u, 'atRisk': at_risk, 'events': d, 'survival': s, 'lo': lo, 'hi': hi})
    return rows


def log_rank(groups):
    """Mantel-Cox log-rank over k groups: O - E per group and the chi-square on k - 1 df."""
    k = len(groups)
    t_all = np.concatenate([np.array(g['times'], float) for g in groups])
    e_all = np.concatenate([np.array(g['events'], int) for g in groups])
    g_all = np.concatenate([np.full(len(g['times']), i) for i, g in enumerate(groups)])
    O = np.zeros(k)
    E = np.zeros(k)
    V = np.zeros((k, k))
    for u in sorted(set(t_all[e_all == 1])):
        risk = t_all >= u
        n = risk.sum()
        d = ((t_all == u) & (e_all == 1)).sum()
        n_g = np.array([(risk & (g_all == i)).sum() for i in range(k)], float)
        d_g = np.array([((t_all == u) & (e_all == 1) & (g_all == i)).sum() for i in range(k)], float)
        O += d_g
        E += d * n_g / n
        if n > 1:
            f = d * (n - d) / (n * n * (n - 1))
            V += f * (np.diag(n_g * n) - np.outer(n_g, n_g))
    oe = (O - E)[:-1]
    chi2 = float(oe @ np.linalg.solve(V[:-1, :-1], oe))
    return {'observed': O.tolist(), 'expected': E.tolist(), 'chiSquare': chi2, 'df': k - 1, 'p': float(stats.chi2.sf(chi2, k - 1))}


def survival_cases():
    # Steps-to-solve censored at a budget of 200, as the audit records them.
    budget = [
        {'label': 'a', 'times': [40, 55, 55, 70, 200, 90, 200, 35], 'events': [1, 1, 1, 1, 0, 1, 0, 1]},
        {'label': 'b', 'times': [120, 200, 200, 150, 200, 180, 200, 200], 'events': [1, 0, 0, 1, 0, 1, 0, 0]},
    ]
    three = budget + [{'label': 'c', 'times': [60, 200, 110, 200, 75, 200, 200, 95], 'events': [1, 0, 1, 0, 1, 0, 0, 1]}]
    tied_at_budget = [  # an event at the budget beside runs censored there
        {'label': 'x', 'times': [10, 20, 30, 30, 40], 'events': [1, 1, 1, 1, 1]},
        {'label': 'y', 'times': [30, 40, 40, 40, 40], 'events': [1, 1, 0, 0, 0]},
    ]
    lr = []
    for name, groups in [(SIX_MP['name'], SIX_MP['groups']), ('budget 200, two groups', budget), ('budget 200, three groups', three), ('event and censoring at the budget', tied_at_budget)]:
        lr.append({'name': name, 'groups': groups, **log_rank(groups)})
    six = lr[0]
    assert abs(six['chiSquare'] - 16.79) < 0.01, six['chiSquare']  # R survdiff: Chisq= 16.8 on 1 degrees of freedom
    write('logRank', {'cases': lr})
    km = []
    for g in SIX_MP['groups'] + budget + tied_at_budget:
        km.append({'label': g['label'], 'times': g['times'], 'events': g['events'], 'rows': kaplan_meier(g['times'], g['events'])})
    six_km = {r['time']: round(r['survival'], 3) for r in km[0]['rows']}
    assert six_km == {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}, six_km
    write('kaplanMeier', {'cases': km})


# --- power --------------------------------------------------------------------------------

def paired_t_power(delta, sd, n, alpha=0.05):
    df = n - 1
    c = stats.t.ppf(1 - alpha / 2, df)
    ncp = delta * math.sqrt(n) / sd
    return stats.nct.sf(c, df, ncp) + stats.nct.cdf(-c, df, ncp)


def fisher_power(p1, p2, n1, n2, alpha=0.05):
    total = 0.0
    for a in range(n1 + 1):
        for c in range(n2 + 1):
            if stats.fisher_exact([[a, n1 - a], [c, n2 - c]])[1] <= alpha:
                total += stats.binom.pmf(a, n1, p1) * stats.binom.pmf(c, n2, p2)
    return total


def power_cases():
    # brentq's bracket reaches noncentralities where boost's nct warns (and returns 1); the
    # roots lie far inside it.
    warnings.filterwarnings('ignore', category=RuntimeWarning, module='scipy.stats')
    cases = []
    for delta, sd, n in [(0.1, 0.1, 5), (0.2, 0.15, 3), (0.05, 0.1, 20), (1.0, 1.0, 10), (0.3, 0.05, 2)]:
        cases.append({'fn': 'pairedTTestPower', 'args': [delta, sd, n, 0.05], 'value': num(paired_t_power(delta, sd, n))})
    for sd, n in [(0.1, 3), (0.1, 5), (0.2, 10), (1.0, 20)]:
        mde = optimize.brentq(lambda d: paired_t_power(d, sd, n) - 0.8, 1e-9, 100 * sd, xtol=1e-13)
        cases.append({'fn': 'pairedTTestMde', 'args': [sd, n, 0.05, 0.8], 'value': num(mde)})
    for delta, sd in [(0.1, 0.1), (0.05, 0.1), (0.5, 0.2)]:
        need = next(n for n in range(2, 10000) if paired_t_power(delta, sd, n) >= 0.8)
        cases.append({'fn': 'pairedTTestSeedsNeeded', 'args': [delta, sd, 0.05, 0.8], 'value': need})
    for p1, p2, n in [(0.9, 0.1, 5), (1.0, 0.0, 3), (0.8, 0.2, 10), (0.6, 0.3, 8)]:
        cases.append({'fn': 'fisherPower', 'args': [p1, p2, n, n, 0.05], 'value': num(fisher_power(p1, p2, n, n))})
    for p1, p2 in [(0.95, 0.05), (0.9, 0.3)]:
        need = next(n for n in range(1, 200) if fisher_power(p1, p2, n, n) >= 0.8)
        cases.append({'fn': 'fisherSeedsNeeded', 'args': [p1, p2, 0.05, 0.8], 'value': need})
    write('power', {'scipy': __import__('scipy').__version__, 'cases': cases})


# --- group-sequential boundaries ----------------------------------------------------------

def spend(kind, t, alpha):
    """Two-sided error spent by fraction t: each side spends the one-sided function at α/2 (as gsDesign and ldbounds)."""
    side = alpha / 2
    if kind == 'obrien-fleming':
        return 2 * (2 - 2 * stats.norm.cdf(stats.norm.ppf(1 - side / 2) / math.sqrt(t)))
    return 2 * side * math.log(1 + (math.e - 1) * t)


def boundaries(kind, fractions, alpha):
    """Two-sided symmetric boundaries c_k: P(|Z_j| < c_j for j < k, |Z_k| >= c_k) = spent(t_k) - spent(t_k-1)."""
    K = len(fractions)
    cov = np.array([[math.sqrt(min(a, b) / max(a, b)) for b in fractions] for a in fractions])
    cs = []
    prev = 0.0
    continue_prob = 1.0  # P(no crossing up to the previous look)
    for k in range(K):
        target = spend(kind, fractions[k], alpha) - prev
        if k == 0:
            c = stats.norm.ppf(1 - target / 2)
        else:
            sub = cov[: k + 1, : k + 1]

            def inside(c):
                lim = np.array(cs + [c])
                return stats.multivariate_normal.cdf(lim, mean=np.zeros(k + 1), cov=sub, lower_limit=-lim, maxpts=400_000 * (k + 1), abseps=1e-7, releps=1e-7)

            c = optimize.brentq(lambda c: (continue_prob - inside(c)) - target, 1.0, 8, xtol=1e-6)
        cs.append(float(c))
        lim = np.array(cs)
        continue_prob = 1 - spend(kind, fractions[k], alpha) if k == 0 else float(stats.multivariate_normal.cdf(lim, mean=np.zeros(k + 1), cov=cov[: k + 1, : k + 1], lower_limit=-lim, maxpts=400_000 * (k + 1), abseps=1e-7, releps=1e-7))
        prev = spend(kind, fractions[k], alpha)
    return cs


def sequential_cases():
    cases = []
    for kind in ['obrien-fleming', 'pocock']:
        for fractions in [[0.2, 0.4, 0.6, 0.8, 1.0], [0.25, 0.5, 0.75, 1.0], [0.3, 1.0], [3 / 20, 8 / 20, 14 / 20, 1.0]]:
            cases.append({'spending': kind, 'fractions': fractions, 'alpha': 0.05, 'z': boundaries(kind, fractions, 0.05), 'spent': [spend(kind, t, 0.05) for t in fractions]})
    # Published Lan-DeMets O'Brien-Fleming-type boundaries for five equally spaced looks at
    # two-sided alpha 0.05 (e.g. R ldbounds / gsDesign): 4.877, 3.357, 2.680, 2.290, 2.031.
    of5 = cases[0]['z']
    assert all(abs(a - b) < 2e-3 for a, b in zip(of5, [4.877, 3.357, 2.680, 2.290, 2.031])), of5
    write('sequential', {'scipy': __import__('scipy').__version__, 'cases': cases})


SECTIONS = {
    'distributions': distributions, 'fisher': fisher, 'pairedTTest': ttest_cases, 'tost': tost_cases, 'hedgesG': hedges_cases,
    'wilcoxon': wilcoxon_cases, 'holm': holm_cases, 'bootstrap': bootstrap_cases, 'survival': survival_cases, 'power': power_cases,
    'sequential': sequential_cases,
}

if __name__ == '__main__':
    # Optional arguments name the sections to regenerate (default: all); sequential takes minutes.
    print(f'scipy {__import__("scipy").__version__}, numpy {np.__version__}, python {sys.version.split()[0]}')
    for name in sys.argv[1:] or SECTIONS:
        SECTIONS[name]()
