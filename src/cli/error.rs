//! The command line's error contract: bad input (exit 2) or any other failure (exit 1),
//! and how the library's errors fall into one or the other.

use std::process::ExitCode;

use crate::catalogue::FeedErrors;
use crate::config::ConfigError;
use crate::store::{ImportError, StoreError};

/// A failure as the command line reports it.
#[derive(Debug)]
pub enum CliError {
    /// Bad input from the user: a config, a feed, an argument. Exit code 2.
    BadInput(String),
    /// Anything else: the database, the disk, the display. Exit code 1.
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::BadInput(_) => ExitCode::from(2),
            CliError::Failed(_) => ExitCode::from(1),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CliError::BadInput(m) | CliError::Failed(m) => m,
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Invalid { .. } => CliError::BadInput(e.to_string()),
            // A missing or unreadable file the user named is their input too.
            ConfigError::Read { .. } => CliError::BadInput(e.to_string()),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Failed(e.to_string())
    }
}

impl From<FeedErrors> for CliError {
    fn from(e: FeedErrors) -> Self {
        CliError::BadInput(e.to_string())
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::NotNewer { .. } | ImportError::OtherSite { .. } => {
                CliError::BadInput(format!("{e}; nothing was changed (use --force to replace it anyway)"))
            }
            ImportError::Store(e) => e.into(),
        }
    }
}
