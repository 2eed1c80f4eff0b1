//! The README and docs/ point only at files in the repository (issue 9,
//! item 12): every relative link and every `*.md` file they name exists, and
//! nothing points outside the repository.

use std::path::Path;

fn named_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Markdown links: [text](target)
    for part in text.split("](").skip(1) {
        if let Some(end) = part.find(')') {
            out.push(part[..end].to_string());
        }
    }
    // File names in the text: `TESTING.md`, HARDWARE.md, `../shared/contracts.md`,
    // `src/store/journal.rs`, udev/ …
    let dirs = [
        "src/",
        "tests/",
        "docs/",
        "devices/",
        "udev/",
        "fixtures/",
        "benches/",
        "fuzz/",
        "../",
    ];
    for word in text.split(|c: char| c.is_whitespace() || "`()[]<>\"',;".contains(c)) {
        let word = word.trim_end_matches(['.', ':']);
        let is_md = word.ends_with(".md") && !word.contains('*');
        let is_path = dirs.iter().any(|d| word.starts_with(d)) && !word.contains(['*', '$', '{']);
        if is_md || is_path {
            out.push(word.to_string());
        }
    }
    out.retain(|p| !p.starts_with("http://") && !p.starts_with("https://") && !p.starts_with('#'));
    out
}

#[test]
fn readme_and_docs_name_only_files_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).expect("docs/ exists") {
        docs.push(e.unwrap().path());
    }
    let mut checked = 0;
    for doc in docs {
        let text = std::fs::read_to_string(&doc).unwrap();
        let base = doc.parent().unwrap();
        for target in named_paths(&text) {
            let file = target.split('#').next().unwrap_or_default();
            assert!(
                !file.starts_with(".."),
                "{} points outside: {target}",
                doc.display()
            );
            let found = base.join(file).exists() || root.join(file).exists();
            assert!(
                found,
                "{} names {target}, which is not in the repository",
                doc.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} links checked");
}

/// The commands docs/cli.md documents are the commands the binary has.
#[test]
fn docs_cli_lists_every_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/cli.md")).unwrap();
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_scanstation"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let commands = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert!(commands.len() >= 12);
    for c in commands {
        assert!(
            docs.contains(&format!("`scanstation {c}")),
            "docs/cli.md does not document `scanstation {c}`"
        );
    }
}
