//! The real loop (`drive`) on a TestBackend with tokio's paused clock.

use super::keys::scans;
use super::*;

#[tokio::test(start_paused = true)]
async fn the_loop_draws_feedback_and_quits() {
    let (tx, _rx) = channel();
    let bell = CountingBell::new();
    let app = App::new(&opts(), tx, Box::new(bell.clone())).with_clock(wall);
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    ev_tx.send(UiEvent::Outcome(asset_outcome())).unwrap();
    ev_tx.send(UiEvent::Quit).unwrap();
    let app = drive(&mut term, futures::stream::pending(), ev_rx, app)
        .await
        .unwrap();
    assert!(app.should_quit());
    assert_eq!(bell.count(), 1);
    assert_eq!(banner_bg(&term), Color::Green);
    assert!(term.backend().to_string().contains("A-1001 found"));
}

#[tokio::test(start_paused = true)]
async fn the_loop_times_keys_with_the_paused_clock() {
    let (tx, rx) = channel();
    let app = App::new(&opts(), tx, Box::new(SilentBell)).with_clock(wall);
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel::<UiEvent>();
    let (key_tx, key_rx) = futures::channel::mpsc::unbounded();
    let run = tokio::spawn(async move {
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        drive(&mut term, key_rx, ev_rx, app)
            .await
            .map(|a| a.field().to_string())
    });
    // What one read of the terminal returned, stamped with the paused clock.
    let read = |bytes: &[u8]| {
        Ok(TermEvent::Bytes {
            bytes: bytes.to_vec(),
            at: tokio::time::Instant::now().into_std(),
        })
    };
    // Typed at 100 ms a key: typing.
    for c in ["a", "b"] {
        key_tx.unbounded_send(read(c.as_bytes())).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A scanner at 1 ms a key, one read per key, Enter: a scan.
    for c in "A-1001\r".bytes() {
        key_tx.unbounded_send(read(&[c])).unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // A burst in one read: two scans, with an ESC O S (F4) inside the second.
    key_tx.unbounded_send(read(b"A-1002\rB\x1bOS-7\r")).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    ev_tx.send(UiEvent::Quit).unwrap();
    let field = run.await.unwrap().unwrap();
    assert_eq!(field, "ab");
    let inputs: Vec<Input> = rx.try_iter().collect();
    assert_eq!(
        scans(&inputs),
        [
            (Source::Wedge, b"A-1001".to_vec(), false),
            (Source::Wedge, b"A-1002".to_vec(), false),
            (Source::Wedge, b"B\x1bOS-7".to_vec(), false),
        ]
    );
    assert!(
        !inputs.iter().any(|i| matches!(i, Input::Command(_))),
        "no mode switch: {inputs:?}"
    );
}

#[test]
fn the_tick_is_a_thirtieth_of_a_second() {
    assert_eq!(tick_period(), Duration::from_secs_f64(1.0 / 30.0));
    assert!(tick_period() < Duration::from_millis(40));
}
