//! The checked-in `ccc-sdk/src/generated/` is what the generator makes of `spec/`.
//!
//! Like `cargo xtask codegen --check`, but self-healing: on a difference the files are rewritten
//! and the test fails, so one more `cargo test` passes and the diff is there to review.

use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let plan = codegen::sync::plan(&root).unwrap_or_else(|e| panic!("{e}"));
    if plan.is_clean() {
        return;
    }
    let diff = plan.diff();
    plan.apply(&root).unwrap_or_else(|e| panic!("{e}"));
    panic!(
        "ccc-sdk/src/generated/ was not what spec/ gives; it has been rewritten \
         ({}). Review and commit it:\n{diff}",
        plan.summary(true)
    );
}
