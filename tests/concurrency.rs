//! 10,000 calls with 64 in flight: none lost, none answered with another call's data.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ccc_emulator::Agent;
use ccc_tests::{client, emulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_sixty_four_in_flight() {
    const CALLS: u64 = 10_000;
    const IN_FLIGHT: u64 = 64;
    let emu = emulator().await;
    for i in 0..IN_FLIGHT {
        emu.state().put_agent(
            "ccc-test",
            Agent::new(format!("agent-{i}@ccc-test"), format!("8{i:07}")),
        );
    }
    let c = client(&emu);
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|w| {
            let (c, next) = (c.clone(), next.clone());
            tokio::spawn(async move {
                let user = format!("agent-{w}@ccc-test");
                let mut done = 0u64;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= CALLS {
                        return done;
                    }
                    let device = format!("device-{n}");
                    let out = c
                        .reset_agent_state()
                        .instance_id("ccc-test")
                        .device_id(&device)
                        .user_id(&user)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("call {n}: {e}"));
                    let data = out.data().expect("Data");
                    assert_eq!(data.user_id(), Some(user.as_str()), "call {n}");
                    assert_eq!(data.device_id(), Some(device.as_str()), "call {n}");
                    assert_eq!(
                        data.extension(),
                        Some(format!("8{w:07}").as_str()),
                        "call {n}"
                    );
                    done += 1;
                }
            })
        })
        .collect();
    let mut total = 0;
    for w in workers {
        total += w.await.expect("worker");
    }
    assert_eq!(total, CALLS);
    assert_eq!(emu.requests("ResetAgentState"), CALLS);
}
