//! The infrastructure family: environments, connections, credentials,
//! workspaces, their edges and their permission matrix.

mod connections;
mod credentials;
mod edges;
mod environments;
mod matrix;
mod search_and_pages;
mod workspaces;
