//! Engine integration tests: the real engine on loopback port 0, a real SQLite file in a
//! temporary directory, real HTTP.

mod agents;
mod api;
mod capture;
mod duplicates;
mod events;
mod export;
mod faults;
mod forward;
mod handshakes;
mod helpers;
mod hostile;
mod import;
mod load;
mod notify;
mod providers;
mod relay;
mod retry_words;
mod schemes;
mod stats;
mod target;
mod tunnel;
mod window;
