//! Engine integration tests: the real engine on loopback port 0, a real SQLite file in a
//! temporary directory, real HTTP.

mod agents;
mod api;
mod capture;
mod events;
mod export;
mod faults;
mod forward;
mod helpers;
mod hostile;
mod import;
mod load;
mod notify;
mod providers;
mod retry_words;
mod stats;
mod target;
mod tunnel;
mod window;
