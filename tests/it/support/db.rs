//! Reading (or, with the server stopped, changing) a data dir's database
//! behind the API's back.

use std::path::Path;
use std::time::Duration;

/// Runs `f` on its own connection to the data dir's database, on a blocking
/// thread: an in-process server under test shares this runtime.
pub async fn sql<T: Send + 'static>(data_dir: &Path, f: impl FnOnce(&rusqlite::Connection) -> T + Send + 'static) -> T {
    let path = data_dir.join("meshcloud.db");
    tokio::task::spawn_blocking(move || {
        let c = rusqlite::Connection::open(&path).expect("open the database");
        c.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
        f(&c)
    })
    .await
    .expect("join")
}
