//! The server as a whole, below any face: the binary's CLI, crash and stop
//! durability, what the first start prints, start-up integrity checks, the
//! store's auditing and locking, connection hygiene.

mod cli;
mod connections_hygiene;
mod durability;
mod first_start;
mod startup;
mod store;
