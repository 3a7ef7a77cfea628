//! opsdeck's integration tests, in one binary (one link, shared helpers):
//! real Alertmanager/Prometheus servers on loopback (started by the
//! `opsdeck-testkit` crate), the CLI, the binary in a pseudo-terminal, config
//! checks and insta snapshots of the views.

mod alerts_fidelity;
mod alerts_history;
mod alerts_live;
mod cli;
mod cli_extras;
mod config_example;
mod demo_settings;
mod deploy_bumps;
mod deploy_live;
mod deploy_states;
mod deploy_values;
mod faults;
mod hostile;
mod matcher_table;
mod mutations;
mod pty;
mod readme;
mod registry_client;
mod release_commands;
#[cfg(unix)]
mod release_file;
mod release_live;
mod release_snapshots;
mod security;
mod silences_snapshots;
mod snapshots;
mod support;
mod terminal;
