//! Two corpus copies.

use super::*;

/// Something the comparison skipped or could not trust, with the document's path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The document exists only in folder A.
    OnlyInA {
        /// Relative path.
        path: String,
    },
    /// The document exists only in folder B.
    OnlyInB {
        /// Relative path.
        path: String,
    },
    /// The two copies of the source text differ, so offsets cannot be compared.
    TextDiffers {
        /// Relative path.
        path: String,
    },
    /// A copy could not be read (source or annotation file); the document is skipped.
    Unreadable {
        /// Relative path.
        path: String,
        /// `"A"` or `"B"`.
        side: String,
        /// Why.
        reason: String,
    },
    /// Orphaned annotations (lost their place after a source edit) were left out.
    Orphaned {
        /// Relative path.
        path: String,
        /// `"A"` or `"B"`.
        side: String,
        /// How many.
        count: usize,
    },
}

impl Warning {
    /// Relative path of the document concerned.
    pub fn path(&self) -> &str {
        match self {
            Warning::OnlyInA { path }
            | Warning::OnlyInB { path }
            | Warning::TextDiffers { path }
            | Warning::Unreadable { path, .. }
            | Warning::Orphaned { path, .. } => path,
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::OnlyInA { path } => write!(f, "{path}: only in folder A; not compared"),
            Warning::OnlyInB { path } => write!(f, "{path}: only in folder B; not compared"),
            Warning::TextDiffers { path } => write!(
                f,
                "{path}: the source text differs between the two folders; not compared (copy the same source into both)"
            ),
            Warning::Unreadable { path, side, reason } => {
                write!(
                    f,
                    "{path}: the copy in folder {side} cannot be used ({reason}); not compared"
                )
            }
            Warning::Orphaned { path, side, count } => write!(
                f,
                "{path}: {count} orphaned annotation{} in folder {side} left out (re-place {} in the workbench)",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "it" } else { "them" }
            ),
        }
    }
}

/// The comparison of one shared document, as reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocReport {
    /// Path relative to the corpus roots.
    pub path: String,
    /// Span counts over all labels.
    pub spans: SpanScores,
    /// Token-level kappa of this document alone.
    pub token_kappa: Kappa,
    /// αu of this document alone, pooled over labels.
    pub unitizing_alpha: UnitizingAlpha,
    /// Where the annotators differ, in text order.
    pub disagreements: Vec<Disagreement>,
}

/// Agreement on the claims both annotators marked (matched by span and label).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClaimAgreement {
    /// Claim pairs matched (exactly or by overlap).
    pub matched: usize,
    /// Stance agreement: `observed` is the percent agreement as a fraction.
    pub stance: Kappa,
    /// Claim type agreement, likewise.
    pub claim_type: Kappa,
}

/// αu over the compared documents, joined end to end (in natural order) into one continuum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitizingReport {
    /// Length of the joined continuum in code points.
    pub continuum_length: usize,
    /// Pooled over labels: `1 - Σ uDo / Σ uDe`.
    pub overall: UnitizingAlpha,
    /// Per label (entities and claims).
    pub per_label: BTreeMap<String, UnitizingAlpha>,
}

/// The agreement between two corpus copies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementReport {
    /// Folder of annotator A (the reference).
    pub folder_a: String,
    /// Folder of annotator B (the prediction).
    pub folder_b: String,
    /// Documents in both folders with the same text, compared.
    pub documents_compared: usize,
    /// Documents skipped or partly left out, and why.
    pub warnings: Vec<Warning>,
    /// Span scores over all labels (micro-averaged: counts are pooled).
    pub overall: SpanScores,
    /// Span scores per label.
    pub per_label: BTreeMap<String, SpanScores>,
    /// Cohen's kappa over the word tokens of all compared documents, each token
    /// labelled with its innermost entity or `O`.
    pub token_kappa: Kappa,
    /// Krippendorff's unitizing alpha over all compared documents joined end to end.
    pub unitizing_alpha: UnitizingReport,
    /// Krippendorff's alpha, nominal, over code points labelled with their
    /// innermost entity or `O` (not the unitizing alpha αu).
    pub code_point_alpha: Alpha,
    /// Per label (entities and claims), nominal alpha over code points coded
    /// inside / outside that label.
    pub code_point_alpha_per_label: BTreeMap<String, Alpha>,
    /// Stance and claim type agreement on matched claims.
    pub claims: ClaimAgreement,
    /// Per compared document, in natural order.
    pub documents: Vec<DocReport>,
}

impl AgreementReport {
    /// Pools per-document comparisons (in the order given) into a report.
    pub fn from_documents(
        folder_a: String,
        folder_b: String,
        docs: Vec<(String, DocComparison)>,
        warnings: Vec<Warning>,
    ) -> Self {
        let mut per_label: BTreeMap<String, SpanScores> = BTreeMap::new();
        let mut tokens = Confusion::new();
        let mut code_points = Confusion::new();
        let mut per_label_cp: BTreeMap<String, Confusion> = BTreeMap::new();
        let mut stance = Confusion::new();
        let mut claim_type = Confusion::new();
        let mut documents = Vec::new();
        let documents_compared = docs.len();
        let mut offset = 0;
        let mut joined: BTreeMap<String, (Vec<Span>, Vec<Span>)> = BTreeMap::new();
        for (path, c) in docs {
            let shift = |v: &[Span]| {
                v.iter()
                    .map(|s| Span::new(s.start + offset, s.end + offset))
                    .collect::<Vec<_>>()
            };
            for (label, (ua, ub)) in &c.units {
                let entry = joined.entry(label.clone()).or_default();
                entry.0.extend(shift(ua));
                entry.1.extend(shift(ub));
            }
            offset += c.len;
            let mut doc_spans = SpanScores::default();
            for (label, s) in &c.spans {
                per_label.entry(label.clone()).or_default().add(s);
                doc_spans.add(s);
            }
            tokens.merge(&c.tokens);
            code_points.merge(&c.code_points);
            stance.merge(&c.stance);
            claim_type.merge(&c.claim_type);
            for (label, conf) in &c.code_points_per_label {
                per_label_cp.entry(label.clone()).or_default().merge(conf);
            }
            documents.push(DocReport {
                path,
                spans: doc_spans,
                token_kappa: c.tokens.kappa(),
                unitizing_alpha: c.unitizing_alpha(),
                disagreements: c.disagreements,
            });
        }
        // A label one document never used still has code points there, all "out" for both.
        let all_cp = code_points.total();
        for conf in per_label_cp.values_mut() {
            let missing = all_cp.saturating_sub(conf.total());
            conf.add("out", "out", missing);
        }
        let unitizing_per_label: BTreeMap<String, UnitizingAlpha> = joined
            .iter()
            .map(|(label, (a, b))| (label.clone(), unitizing_alpha(offset, a, b)))
            .collect();
        let mut overall = SpanScores::default();
        for s in per_label.values() {
            overall.add(s);
        }
        Self {
            folder_a,
            folder_b,
            documents_compared,
            warnings,
            overall,
            per_label,
            token_kappa: tokens.kappa(),
            unitizing_alpha: UnitizingReport {
                continuum_length: offset,
                overall: UnitizingAlpha::pooled(unitizing_per_label.values()),
                per_label: unitizing_per_label,
            },
            code_point_alpha: code_points.nominal_alpha(),
            code_point_alpha_per_label: per_label_cp
                .iter()
                .map(|(k, c)| (k.clone(), c.nominal_alpha()))
                .collect(),
            claims: ClaimAgreement {
                matched: stance.total(),
                stance: stance.kappa(),
                claim_type: claim_type.kappa(),
            },
            documents,
        }
    }
}

/// Why two folders could not be compared.
#[derive(Debug)]
pub struct FolderError {
    /// The folder.
    pub path: PathBuf,
    /// The underlying error.
    pub error: std::io::Error,
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot list {} ({}); check that the folder exists and can be read",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for FolderError {}

/// Loads the document `rel` from both folders, for comparing it (or showing the
/// two versions side by side with [`disagreements`]). Refuses, with the reasons,
/// when a copy cannot be read, its annotation file is damaged or newer, or the
/// two source texts differ.
pub fn load_pair(a: &Path, b: &Path, rel: &str) -> Result<(LoadedDoc, LoadedDoc), Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut load = |root: &Path, side: &str| {
        let reason = match corpus::load(root, rel) {
            Ok(l) => match &l.read_only {
                Some(why) => why.clone(),
                None => return Some(l),
            },
            Err(e) => e.to_string(),
        };
        warnings.push(Warning::Unreadable {
            path: rel.to_owned(),
            side: side.to_owned(),
            reason,
        });
        None
    };
    let (da, db) = (load(a, "A"), load(b, "B"));
    match (da, db) {
        (Some(da), Some(db)) if da.doc.hash == db.doc.hash => Ok((da, db)),
        (Some(_), Some(_)) => Err(vec![Warning::TextDiffers { path: rel.to_owned() }]),
        _ => Err(warnings),
    }
}

/// Compares two copies of a corpus annotated by two people: documents are
/// paired by relative path; those in one folder only, those whose source text
/// differs and those that cannot be read are skipped with a warning. Fails only
/// when a folder cannot be listed.
pub fn compare_folders(a: &Path, b: &Path) -> Result<AgreementReport, FolderError> {
    let list = |root: &Path| {
        corpus::scan(root).map_err(|error| FolderError {
            path: root.to_path_buf(),
            error,
        })
    };
    let (la, lb) = (list(a)?, list(b)?);
    let in_b: BTreeSet<&str> = lb.iter().map(|e| e.rel.as_str()).collect();
    let in_a: BTreeSet<&str> = la.iter().map(|e| e.rel.as_str()).collect();
    let mut warnings = Vec::new();
    let mut docs = Vec::new();
    for entry in &la {
        let rel = entry.rel.as_str();
        if !in_b.contains(rel) {
            warnings.push(Warning::OnlyInA { path: rel.to_owned() });
            continue;
        }
        let (da, db) = match load_pair(a, b, rel) {
            Ok(pair) => pair,
            Err(why) => {
                warnings.extend(why);
                continue;
            }
        };
        for (side, l) in [("A", &da), ("B", &db)] {
            let count = l.data.annotations.iter().filter(|x| x.orphaned).count();
            if count > 0 {
                warnings.push(Warning::Orphaned {
                    path: rel.to_owned(),
                    side: side.to_owned(),
                    count,
                });
            }
        }
        docs.push((rel.to_owned(), compare_document(&da.doc, &da.data, &db.data)));
    }
    for entry in &lb {
        if !in_a.contains(entry.rel.as_str()) {
            warnings.push(Warning::OnlyInB {
                path: entry.rel.clone(),
            });
        }
    }
    Ok(AgreementReport::from_documents(
        a.display().to_string(),
        b.display().to_string(),
        docs,
        warnings,
    ))
}
