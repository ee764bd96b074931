//! `marginalia export`.
//!
//! Exit status: 0 when every document was exported, 3 when the export was
//! written but some documents were skipped (listed on stderr), 1 when nothing
//! was written (destination refused, unwritable, or `--strict` with skips),
//! 2 for wrong arguments and a corpus folder that does not exist.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::formats::csv::Formulas;
use crate::formats::{ExportOptions, Format, export_corpus, export_corpus_to};

/// Exit status when the export was written but some documents were skipped.
pub const EXIT_SKIPPED: u8 = 3;

/// `marginalia export --help`.
pub const HELP: &str = "\
Usage: marginalia export FOLDER --format FORMAT --out PATH [OPTIONS]

Writes the annotations of the corpus in FOLDER in another format.

Formats:
  jsonl   Marginalia JSONL, one line per document, lossless (the default)
  brat    brat standoff: a folder of .txt and .ann files and annotation.conf
  conll   CoNLL-2003 IOB2, one token a line; entities only
  w3c     W3C Web Annotation collection (JSON-LD)
  csv     one row per claim, with its document's title, outlet, author, date, web address, language
  qdpx    REFI-QDA project (ATLAS.ti, NVivo, MAXQDA, QualCoder): codes, sources, selections, notes

Options:
  --format FORMAT  the format (jsonl when not given); give it once
  --out PATH       the file to write, a folder for brat; - writes to standard output
                   (all but brat and qdpx), and the summary then goes to standard error
  --only-done      export only the documents marked done
  --force          replace PATH when it exists (brat writes into the existing folder)
  --strict         write nothing when any document would be skipped
  --base-uri URI   w3c: name each source URI + its path (e.g. https://example.org/corpus/),
                   instead of the file:// address of the file in FOLDER
  --csv-formulas   csv: write cells that begin with = + - @ tab or carriage return as they
                   are; by default a ' is put before them so spreadsheets do not run them
  -h, --help       show this text

Exit status:
  0  every document exported
  3  exported, but some documents were skipped (listed on standard error)
  1  nothing written: the destination was refused or cannot be written, the corpus
     cannot be read, or --strict and some documents would be skipped
  2  wrong arguments, or FOLDER does not exist or is not a folder

See docs/formats.md for what each format holds.";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("marginalia export: {msg}\nRun `marginalia export --help` for the options.");
    ExitCode::from(super::EXIT_USAGE)
}

/// Where the export goes.
enum Out {
    Path(PathBuf),
    Stdout,
}

/// Sets `slot` from an option's value; an option given twice, or without its
/// value, is an error.
fn once<T>(
    slot: &mut Option<T>,
    flag: &str,
    value: Option<&String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{flag} is given twice; give it once"));
    }
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    *slot = Some(parse(value)?);
    Ok(())
}

/// Turns a switch on; giving it twice does no harm.
fn set_flag(flag: &mut bool) -> Result<(), String> {
    *flag = true;
    Ok(())
}

/// Runs `marginalia export` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let mut folder: Option<PathBuf> = None;
    let mut format: Option<Format> = None;
    let mut out: Option<Out> = None;
    let mut base_uri: Option<String> = None;
    let mut opts = ExportOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let set = match a.as_str() {
            "--format" => once(&mut format, a, it.next(), |f| {
                Format::parse(f)
                    .ok_or_else(|| format!("unknown format \"{f}\"; use one of jsonl, brat, conll, w3c, csv"))
            }),
            "--out" => once(&mut out, a, it.next(), |p| {
                Ok(if p == "-" {
                    Out::Stdout
                } else {
                    Out::Path(PathBuf::from(p))
                })
            }),
            "--base-uri" => once(&mut base_uri, a, it.next(), |b| {
                crate::formats::w3c::iri::check_base(b)?;
                Ok(b.to_owned())
            }),
            "--only-done" => set_flag(&mut opts.only_done),
            "--force" => set_flag(&mut opts.force),
            "--strict" => set_flag(&mut opts.strict),
            "--csv-formulas" => {
                opts.csv_formulas = Formulas::Keep;
                Ok(())
            }
            "-h" | "--help" => {
                println!("{HELP}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with('-') && flag != "-" => Err(format!("unknown option {flag}")),
            path if folder.is_none() => {
                folder = Some(PathBuf::from(path));
                Ok(())
            }
            extra => Err(format!("unexpected argument {extra}")),
        };
        if let Err(msg) = set {
            return usage_error(&msg);
        }
    }
    let Some(folder) = folder else {
        return usage_error("give the corpus FOLDER to export");
    };
    let Some(out) = out else {
        return usage_error("give the destination with --out PATH (or --out - for standard output)");
    };
    opts.format = format.unwrap_or_default();
    if base_uri.is_some() && opts.format != Format::W3c {
        return usage_error("--base-uri applies to the w3c format only");
    }
    if opts.csv_formulas == Formulas::Keep && opts.format != Format::Csv {
        return usage_error("--csv-formulas applies to the csv format only");
    }
    opts.base_uri = base_uri;
    if let Out::Stdout = out
        && opts.format.is_folder()
    {
        return usage_error(&format!(
            "the {} export is a folder of files and cannot go to standard output; give a folder with --out",
            opts.format.as_str()
        ));
    }
    if let Out::Stdout = out
        && opts.format == Format::Qdpx
    {
        return usage_error(
            "the qdpx export is a zip file and cannot go to standard output; give a file name with --out",
        );
    }
    if let Err(code) = super::existing_folder("export", &folder) {
        return code;
    }
    let result = match out {
        Out::Path(p) => {
            opts.out = p;
            export_corpus(&folder, &opts, &mut |_, _| true)
        }
        Out::Stdout => export_corpus_to(&folder, &opts, &mut std::io::stdout().lock(), &mut |_, _| true),
    };
    let to_stdout = opts.out.as_os_str().is_empty();
    match result {
        Ok(report) => {
            let summary = report.summary();
            if report.skipped.is_empty() {
                if to_stdout {
                    eprintln!("{summary}");
                } else {
                    println!("{summary}");
                }
                ExitCode::SUCCESS
            } else {
                eprintln!("{summary}");
                ExitCode::from(EXIT_SKIPPED)
            }
        }
        Err(e) => {
            eprintln!("marginalia export: {e}");
            ExitCode::from(1)
        }
    }
}
