"""Outgoing e-mail: SMTP (aiosmtplib) when configured, else `.eml` files in DATA_DIR/outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from pifai.core.config import Settings
from pifai.core.database import after_commit

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


# Keyed by template name, then locale. zh-TW is the default locale.
TEMPLATES: dict[str, dict[str, Template]] = {
    "verify_email": {
        "zh-TW": Template(
            "PIF AI:請驗證您的電子郵件",
            "您好,\n\n請開啟以下連結以驗證您的電子郵件地址(24 小時內有效):\n{link}\n\n"
            "如果您沒有註冊 PIF AI,請忽略這封信。\n",
        ),
        "en": Template(
            "PIF AI: verify your e-mail address",
            "Hello,\n\nOpen this link to verify your e-mail address (valid for 24 hours):\n"
            "{link}\n\nIf you did not sign up for PIF AI, ignore this message.\n",
        ),
    },
    "register_existing": {
        "zh-TW": Template(
            "PIF AI:有人以您的電子郵件地址註冊",
            "您好,\n\n有人以這個電子郵件地址申請註冊 PIF AI,但這個地址已經有帳號,"
            "因此沒有建立新帳號。\n\n如果是您本人,請直接登入:\n{login}\n"
            "忘記密碼的話,可以在這裡重設:\n{reset}\n\n"
            "如果不是您本人,請忽略這封信;您的帳號沒有任何變更。\n",
        ),
        "en": Template(
            "PIF AI: someone tried to register with your e-mail address",
            "Hello,\n\nSomeone tried to sign up for PIF AI with this e-mail address, which "
            "already has an account, so no new account was created.\n\n"
            "If it was you, sign in:\n{login}\nIf you forgot your password, reset it here:\n"
            "{reset}\n\nIf it was not you, ignore this message; nothing about your account "
            "has changed.\n",
        ),
    },
    "reset_password": {
        "zh-TW": Template(
            "PIF AI:重設密碼",
            "您好,\n\n我們收到重設您 PIF AI 密碼的要求。請開啟以下連結設定新密碼"
            "(僅能使用一次,{hours} 小時內有效):\n{link}\n\n如果不是您本人提出,請忽略這封信。\n",
        ),
        "en": Template(
            "PIF AI: reset your password",
            "Hello,\n\nWe received a request to reset your PIF AI password. Open this link to "
            "choose a new one (single use, valid for {hours} hours):\n{link}\n\n"
            "If this was not you, ignore this message.\n",
        ),
    },
    "invite": {
        "zh-TW": Template(
            "PIF AI:{org} 邀請您加入",
            "您好,\n\n{org} 邀請您以「{role}」身分加入 PIF AI。請開啟以下連結設定密碼並啟用帳號:\n"
            "{link}\n",
        ),
        "en": Template(
            "PIF AI: {org} invites you",
            "Hello,\n\n{org} invites you to PIF AI as {role}. Open this link to set your "
            "password and activate your account:\n{link}\n",
        ),
    },
    # A regulatory import changed entries that products of the organisation contain.
    "compliance_alert": {
        "zh-TW": Template(
            "PIF AI:法規清單更新,{count} 項產品需要檢視",
            "您好,\n\n法規清單已更新({scope};資料版本:{data_version})。依更新後的清單重新檢查,"
            "下列產品不符合規定:\n{products}\n\n變更的條目:\n{changes}\n\n"
            "請登入查看並確認這些警示:\n{link}\n",
        ),
        "en": Template(
            "PIF AI: a regulatory list update affects {count} product(s)",
            "Hello,\n\nA regulatory list was updated ({scope}; data version: {data_version}). "
            "Re-checked against it, these products do not comply:\n{products}\n\n"
            "The entries that changed:\n{changes}\n\n"
            "Sign in to review and acknowledge the alerts:\n{link}\n",
        ),
    },
    # The daily digest of what in the organisation's PIFs expires (services.pif.digest).
    "expiry_digest": {
        "zh-TW": Template(
            "PIF AI:{count} 項 PIF 資料即將到期或已逾期({day})",
            "您好,\n\n截至 {day},{org} 的產品資訊檔案中有下列 {count} 項即將到期、已到期或逾期:\n"
            "{entries}\n\n請登入查看並更新:\n{link}\n",
        ),
        "en": Template(
            "PIF AI: {count} PIF item(s) expiring or past due ({day})",
            "Hello,\n\nAs of {day}, these {count} entries of {org}'s product information "
            "files are expiring, expired or overdue:\n{entries}\n\n"
            "Sign in to review and update them:\n{link}\n",
        ),
    },
    # The SA review (services.sa): submitted, sent back, an outside assessor invited.
    "review_submitted": {
        "zh-TW": Template(
            "PIF AI:「{product}」的產品資訊檔案等待安全評估人員審查",
            "您好,\n\n{org} 已將「{product}」的產品資訊檔案送交審查。\n請登入審查並簽署:\n{link}\n",
        ),
        "en": Template(
            'PIF AI: the PIF of "{product}" is waiting for your review',
            'Hello,\n\n{org} submitted the product information file of "{product}" for '
            "review.\nSign in to review and sign it:\n{link}\n",
        ),
    },
    "revision_requested": {
        "zh-TW": Template(
            "PIF AI:安全評估人員退回「{product}」的產品資訊檔案",
            "您好,\n\n安全評估人員 {reviewer} 要求修改「{product}」的產品資訊檔案:\n{comments}\n\n"
            "需修改的項目:{items}\n請登入修改後再送審:\n{link}\n",
        ),
        "en": Template(
            'PIF AI: the Safety Assessor sent the PIF of "{product}" back',
            "Hello,\n\nThe Safety Assessor {reviewer} asked for changes to the product "
            'information file of "{product}":\n{comments}\n\nItems to revise: {items}\n'
            "Sign in, revise them and submit again:\n{link}\n",
        ),
    },
    "assessor_invited": {
        "zh-TW": Template(
            "PIF AI:{org} 邀請您擔任安全評估人員",
            "您好,\n\n{org} 邀請您審查並簽署下列產品的產品資訊檔案:\n{products}\n\n"
            "請以您自己的安全評估人員帳號登入,並接受邀請(邀請碼:{token}):\n{link}\n\n"
            "您只能看到上列產品的資料,且僅限授權有效期間。\n",
        ),
        "en": Template(
            "PIF AI: {org} invites you to assess their products",
            "Hello,\n\n{org} invites you to review and sign the product information files "
            "of:\n{products}\n\nSign in with your own Safety Assessor account and accept "
            "the invitation (code: {token}):\n{link}\n\nYou will see these products only, "
            "and only while the grant is active.\n",
        ),
    },
}


def render(template: str, locale: str, **values: str) -> Template:
    variants = TEMPLATES[template]
    chosen = variants.get(locale) or variants["zh-TW"]
    return Template(chosen.subject.format(**values), chosen.body.format(**values))


def build_message(settings: Settings, to: str, content: Template) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = content.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pifai.local")
    message.set_content(content.body)  # UTF-8, so Chinese text survives
    return message


async def send_email(settings: Settings, to: str, content: Template) -> Path | None:
    """Send now. Without SMTP settings the message is written to the outbox folder and
    its path returned, so development never silently drops a verification link."""
    message = build_message(settings, to, content)
    if settings.smtp_host:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            start_tls=settings.smtp_starttls,
            timeout=15,
        )
        log.info("email sent", to=to, subject=content.subject)
        return None
    outbox = settings.data_dir / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    log.info("email written to outbox (SMTP not configured)", to=to, path=str(path))
    return path


def send_after_commit(
    session: AsyncSession,
    settings: Settings,
    messages: Sequence[tuple[str, Template]],
    *,
    mark_sent: Executable | None,
    what: str,
) -> None:
    """Send ``messages`` (address, content) once the transaction commits, one failure not
    stopping the others; when at least one went out, run ``mark_sent`` (the statement
    that records it, if the notice is recorded). Used by every notice of an event."""

    async def send() -> None:
        sent = 0
        for to, content in messages:
            try:
                await send_email(settings, to, content)
                sent += 1
            except Exception as exc:  # SMTP errors come in many classes
                log.warning(f"{what} e-mail not sent", to=to, error=str(exc))
        if sent and mark_sent is not None:
            await session.execute(mark_sent)

    after_commit(session, send)
