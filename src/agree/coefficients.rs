//! Chance-corrected coefficients over paired labels.

use super::*;

/// How often each pair (label by A, label by B) occurs among the units compared
/// (tokens, code points, matched claims). Kappa and alpha are computed from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pairs: BTreeMap<(String, String), usize>,
}

impl Confusion {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts `n` units labelled `a` by A and `b` by B.
    pub fn add(&mut self, a: &str, b: &str, n: usize) {
        if n > 0 {
            *self.pairs.entry((a.to_owned(), b.to_owned())).or_insert(0) += n;
        }
    }

    /// Adds every count of `other`, to pool documents.
    pub fn merge(&mut self, other: &Confusion) {
        for ((a, b), n) in &other.pairs {
            self.add(a, b, *n);
        }
    }

    /// Number of units.
    pub fn total(&self) -> usize {
        self.pairs.values().sum()
    }

    /// Units on which A and B gave the same label.
    pub fn agreed(&self) -> usize {
        self.pairs
            .iter()
            .filter(|((a, b), _)| a == b)
            .map(|(_, n)| n)
            .sum()
    }

    /// The count for one pair of labels.
    pub fn get(&self, a: &str, b: &str) -> usize {
        self.pairs
            .get(&(a.to_owned(), b.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Every (label by A, label by B, count), sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.pairs.iter().map(|((a, b), n)| (a.as_str(), b.as_str(), *n))
    }

    /// How often each label was used by A and by B.
    fn marginals(&self) -> BTreeMap<&str, (usize, usize)> {
        let mut m: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for ((a, b), n) in &self.pairs {
            m.entry(a.as_str()).or_default().0 += n;
            m.entry(b.as_str()).or_default().1 += n;
        }
        m
    }

    /// Cohen's kappa: `(po - pe) / (1 - pe)`, with `po` the observed agreement and
    /// `pe = Σ_k pA(k)·pB(k)` the agreement expected from each annotator's own
    /// label frequencies.
    pub fn kappa(&self) -> Kappa {
        let n = self.total();
        if n == 0 {
            return Kappa {
                units: 0,
                observed: None,
                expected: None,
                kappa: None,
            };
        }
        let nf = n as f64;
        let po = self.agreed() as f64 / nf;
        let pe: f64 = self
            .marginals()
            .values()
            .map(|(a, b)| (*a as f64 / nf) * (*b as f64 / nf))
            .sum();
        // pe = 1 only when both used one and the same label for everything: kappa is 0/0 then.
        let kappa = (pe < 1.0 - 1e-12).then(|| (po - pe) / (1.0 - pe));
        Kappa {
            units: n,
            observed: Some(po),
            expected: Some(pe),
            kappa,
        }
    }

    /// Krippendorff's alpha for nominal data, two coders, no missing values:
    /// `α = 1 - (n - 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k`, where the coincidence
    /// matrix counts each unit's pair in both orders (`o_ck = pairs(c,k) + pairs(k,c)`),
    /// `n = 2·units` and `n_c` is how often label `c` was used by either coder.
    pub fn nominal_alpha(&self) -> Alpha {
        let units = self.total();
        let n = 2 * units;
        if units == 0 {
            return Alpha {
                units,
                observed_disagreement: None,
                expected_disagreement: None,
                alpha: None,
            };
        }
        let nf = n as f64;
        // Σ_{c≠k} o_ck: every disagreeing unit adds 1 to o_ab and 1 to o_ba.
        let disagreeing = 2 * (units - self.agreed());
        let do_ = disagreeing as f64 / nf;
        let nc: Vec<f64> = self.marginals().values().map(|(a, b)| (a + b) as f64).collect();
        let sum_sq: f64 = nc.iter().map(|c| c * c).sum();
        // Σ_{c≠k} n_c n_k = n² - Σ_c n_c².
        let expected_pairs = nf * nf - sum_sq;
        let de = expected_pairs / (nf * (nf - 1.0));
        let alpha = (expected_pairs > 0.0).then(|| 1.0 - (nf - 1.0) * disagreeing as f64 / expected_pairs);
        Alpha {
            units,
            observed_disagreement: Some(do_),
            expected_disagreement: Some(de),
            alpha,
        }
    }
}

/// Cohen's kappa and the two agreements it is made of.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Kappa {
    /// Units compared.
    pub units: usize,
    /// Observed agreement `po` (share of units with the same label); `None` without units.
    pub observed: Option<f64>,
    /// Agreement expected by chance `pe`; `None` without units.
    pub expected: Option<f64>,
    /// `(po - pe) / (1 - pe)`; `None` when undefined (no units, or both annotators
    /// gave every unit the same single label, so that `pe = 1`).
    pub kappa: Option<f64>,
}

/// Krippendorff's alpha and its two disagreements.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Alpha {
    /// Units compared (each coded once by each coder).
    pub units: usize,
    /// Observed disagreement `Do`.
    pub observed_disagreement: Option<f64>,
    /// Expected disagreement `De`.
    pub expected_disagreement: Option<f64>,
    /// `1 - Do/De`; `None` when undefined (no units, or a single value used throughout).
    pub alpha: Option<f64>,
}
