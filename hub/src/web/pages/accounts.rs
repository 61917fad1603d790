//! `/accounts`: the site's staff accounts for its supervisors: who is locked out (and
//! until when, in the site's time), who is signed in where; a supervisor lifts a lock or
//! signs an account out on every device, an admin disables or enables an account.

use axum::extract::{Form as FormBody, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::accounts::Role;
use crate::web::auth::Supervisor;
use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

fn unavailable(e: &crate::app::DbError) -> WebError {
    WebError::db(Form::Page, "the staff accounts", e)
}

pub async fn list(State(state): State<WebState>, Supervisor(s): Supervisor) -> Result<Response, WebError> {
    let now = crate::clock::now();
    let accounts = state.app.accounts(&s.site, now).await.map_err(|e| unavailable(&e))?;
    let zone = state.app.zone(&s.site).await.map_err(|e| unavailable(&e))?.unwrap_or_else(|| "UTC".into());
    let admin = s.role == Role::Admin;
    let rows: String = accounts
        .iter()
        .map(|a| {
            let locked = a.locked_until.map_or("—".to_owned(), |u| {
                format!("dikunci sampai {}", mpp_domain::hours::instant_time_text(u, &zone, mpp_domain::text::Lang::Id))
            });
            let button = |action: &str, words: &str| {
                format!(
                    r#"<form method="post" action="/accounts"><input type="hidden" name="csrf" value="{}"><input type="hidden" name="username" value="{}"><input type="hidden" name="action" value="{action}"><button type="submit">{words}</button></form>"#,
                    esc(&s.csrf),
                    esc(&a.username)
                )
            };
            let mut actions = Vec::new();
            if a.locked_until.is_some() {
                actions.push(button("unlock", "Buka kunci"));
            }
            if a.sessions > 0 {
                actions.push(button("sign_out", "Keluarkan dari semua perangkat"));
            }
            if admin && a.username != s.username {
                actions.push(if a.disabled { button("enable", "Aktifkan") } else { button("disable", "Nonaktifkan") });
            }
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{locked}</td><td class=\"actions\">{}</td></tr>",
                esc(&a.username),
                esc(&a.display_name),
                a.role.code(),
                if a.disabled { "nonaktif" } else { "aktif" },
                a.sessions,
                actions.join("")
            )
        })
        .collect();
    let body = format!(
        r#"<header><h1>Akun staf</h1><a href="/counter">Loket</a></header><main class="accounts">
<p class="note">Akun dikunci setelah lima kata sandi salah dari satu perangkat (dua puluh dari satu alamat, lima puluh dari mana saja), selama 15 menit. Supervisor dapat membukanya; mengganti kata sandi (mpp-hub staff add) mengeluarkan akun dari semua perangkat.</p>
<table><thead><tr><th>Nama pengguna</th><th>Nama</th><th>Peran</th><th>Status</th><th>Sesi</th><th>Kunci</th><th></th></tr></thead><tbody>{rows}</tbody></table></main>"#
    );
    Ok(page("Akun staf", r#"class="accounts-page""#, &body, None).into_response())
}

#[derive(serde::Deserialize)]
pub struct AccountAction {
    csrf: String,
    username: String,
    action: String,
}

pub async fn act(
    State(state): State<WebState>,
    Supervisor(s): Supervisor,
    FormBody(f): FormBody<AccountAction>,
) -> Result<Response, WebError> {
    if f.csrf != s.csrf {
        return Err(WebError::text(StatusCode::FORBIDDEN, "CSRF token salah"));
    }
    let app = &state.app;
    let done = match f.action.as_str() {
        "unlock" => app.unlock_staff(&s.site, &f.username).await,
        "sign_out" => app.sign_out_everywhere(&s.site, &f.username).await.map(|_| true),
        "disable" | "enable" if s.role != Role::Admin => {
            return Err(WebError::page(StatusCode::FORBIDDEN, "Hanya admin yang menonaktifkan atau mengaktifkan akun"));
        }
        "disable" => app.set_staff_disabled(&s.site, &f.username, true, crate::clock::now()).await,
        "enable" => app.set_staff_disabled(&s.site, &f.username, false, crate::clock::now()).await,
        _ => return Err(WebError::text(StatusCode::BAD_REQUEST, "tindakan tidak dikenal")),
    }
    .map_err(|e| unavailable(&e))?;
    if !done {
        return Err(WebError::page(StatusCode::NOT_FOUND, "Akun itu tidak ada di MPP ini"));
    }
    log::info!("{} at {}: {} {}", s.username, s.site, f.action, f.username);
    Ok(Redirect::to("/accounts").into_response())
}
