//! `docs/engines.md` lists what each engine can do. The table is generated here from the
//! engines' own capability lists — the ones `GET /api/v1/instances/{id}` answers — so it
//! cannot drift from the code: this test fails when it differs, and `WAGATE_BLESS=1` rewrites
//! it.

use wagate_core::Capability;

fn table() -> String {
    let engines: [(&str, &[Capability]); 3] = [
        ("sandbox", wagate_engine::sandbox::CAPABILITIES),
        ("web", wagate_engine_web::CAPABILITIES),
        ("cloud", wagate_engine::cloud::engine::CAPABILITIES),
    ];
    let mut out = String::from(
        "# What each engine can do\n\n\
         Generated from the engines' capability lists by `cargo test -p wagate-server --test \
         engine_table`\n(run it with `WAGATE_BLESS=1` to rewrite this file). An instance lists \
         its engine's\ncapabilities in `GET /api/v1/instances/{id}`; a call an engine cannot \
         answer is refused\nwith 501 `NOT_SUPPORTED_BY_ENGINE`.\n\n\
         | capability | what it lets you do | sandbox | web | cloud |\n|---|---|:-:|:-:|:-:|\n",
    );
    for capability in Capability::ALL {
        let name = serde_json::to_value(capability).expect("a name");
        let marks: Vec<&str> = engines
            .iter()
            .map(|(_, can)| {
                if can.contains(&capability) {
                    "✓"
                } else {
                    "—"
                }
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            name.as_str().expect("a string"),
            capability.description(),
            marks.join(" | ")
        ));
    }
    out
}

#[test]
fn the_engine_table_matches_the_engines() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/engines.md");
    let expected = table();
    if std::env::var_os("WAGATE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("docs/engines.md written");
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == expected,
        "docs/engines.md differs from the engines' capabilities; run this test with \
         WAGATE_BLESS=1 to rewrite it. Expected:\n{expected}"
    );
}
