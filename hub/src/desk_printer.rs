//! The reception desk's network printer: the slip's ESC/POS bytes on a TCP connection
//! (port 9100 on most), one connection per slip, bounded in time; a printer that does not
//! answer is said so at the desk and the number stands.

use tokio::io::AsyncWriteExt;

use crate::config::DeskPrinter;

/// Sends `bytes` to the printer within `timeout`; why not, in the desk's words.
pub async fn send(printer: &DeskPrinter, bytes: &[u8], timeout: std::time::Duration) -> Result<(), String> {
    let work = async {
        let mut conn = tokio::net::TcpStream::connect((printer.host.as_str(), printer.port)).await?;
        conn.write_all(bytes).await?;
        conn.flush().await?;
        conn.shutdown().await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("printer {}:{}: {e}", printer.host, printer.port)),
        Err(_) => {
            Err(format!("printer {}:{}: no answer within {} ms", printer.host, printer.port, timeout.as_millis()))
        }
    }
}
