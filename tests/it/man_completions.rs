//! The manual page and the shell completions are generated from the command
//! line by the binary itself (issue 9, item 12), and they name its commands.

use crate::support::Sandbox;
use std::process::Command;

/// The visible commands, as `--help` lists them.
fn commands(sb: &Sandbox) -> Vec<String> {
    let out = sb.cmd().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    help.split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

fn run(sb: &Sandbox, args: &[&str]) -> String {
    let out = sb.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_for_each_shell_name_every_command() {
    let sb = Sandbox::new();
    let cmds = commands(&sb);
    assert!(cmds.len() >= 12, "{cmds:?}");
    assert!(cmds.iter().any(|c| c == "decode-image"), "{cmds:?}");
    assert!(!cmds.iter().any(|c| c == "stress-scan"), "{cmds:?}");
    let bash = run(&sb, &["completions", "bash"]);
    let zsh = run(&sb, &["completions", "zsh"]);
    let fish = run(&sb, &["completions", "fish"]);
    assert!(bash.contains("complete -F _scanstation"), "{bash}");
    assert!(zsh.starts_with("#compdef scanstation"), "{zsh}");
    assert!(fish.contains("complete -c scanstation"), "{fish}");
    for c in &cmds {
        for (shell, script) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
            assert!(script.contains(c.as_str()), "{shell} completion lacks {c}");
        }
    }
    // The bash script is valid bash, and completes `scanstation pa` to parse.
    if let Ok(out) = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{bash}\nCOMP_WORDS=(scanstation pa); COMP_CWORD=1; _scanstation scanstation pa scanstation; echo \"${{COMPREPLY[@]}}\""
        ))
        .output()
    {
        assert!(out.status.success(), "{out:?}");
        let words = String::from_utf8_lossy(&out.stdout);
        assert_eq!(words.trim(), "parse", "{out:?}");
    }
    let bad = sb.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_documents_commands_and_conventions() {
    let sb = Sandbox::new();
    let page = run(&sb, &["man"]);
    assert!(page.contains(".TH scanstation 1"), "{page}");
    for section in [
        "SYNOPSIS",
        "OPTIONS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
    ] {
        assert!(page.contains(&format!(".SH {section}")), "no {section}");
    }
    assert!(page.contains("SCANSTATION_DB"));
    for c in commands(&sb) {
        assert!(
            page.contains(&format!("scanstation\\-{}", c.replace('-', "\\-"))),
            "man lacks {c}"
        );
    }
    // --out writes a page per visible command.
    let dir = sb.path().join("man1");
    run(&sb, &["man", "--out", dir.to_str().unwrap()]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.contains(&"scanstation.1".to_string()), "{files:?}");
    for c in commands(&sb) {
        assert!(
            files.contains(&format!("scanstation-{c}.1")),
            "no page for {c}: {files:?}"
        );
    }
    assert!(!files.iter().any(|f| f.contains("stress")), "{files:?}");
    let parse = std::fs::read_to_string(dir.join("scanstation-parse.1")).unwrap();
    assert!(parse.contains("\\-\\-epc"), "{parse}");
    // The page renders without a warning where man is installed.
    if let Ok(out) = Command::new("man")
        .args(["--warnings", "-l"])
        .arg(dir.join("scanstation.1"))
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("EXIT STATUS"), "{text}");
            assert!(
                out.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
