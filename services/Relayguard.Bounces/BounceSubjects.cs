using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>
/// Subject lines that mark reports, automatic replies, read receipts and forwards. Bounce subjects
/// are matched at the start of the decoded, unfolded subject, ignoring case.
/// </summary>
internal static partial class BounceSubjects
{
    // The provider's list comes first. The rest are the subjects that common MTAs, webmail
    // services and localised Exchange and Outlook servers give their reports.
    private static readonly string[] BouncePrefixes =
    [
        "DELIVERY FAILURE", "Delivery Notification: Delivery has failed", "Delivery failure: Returned to Sender",
        "Message you sent blocked by our bulk email filter", "Delivery Status Notification", "Mail System Error - Returned Mail",
        "Mail delivery failed: returning message to sender", "Returned mail: User unknown", "Returned mail: see transcript for details",
        "Undelivered Mail Returned to Sender", "failure notice", "Permanent Delivery Failure", "Returned email", "Transient Delivery Failure",

        // English, beyond the provider's list.
        "Delivery failure", "Mail delivery failed", "Mail delivery failure",
        "Mail Delivery Problem", "Mail delivery error", "Mail failure", "Mail failed",
        "Mail could not be delivered", "Mail Not Delivered", "Message delivery has failed", "Message not delivered",
        "Message could not be delivered", "Message undeliverable", "Message status - undeliverable", "Returned mail",
        "Undelivered Mail", "Undelivered Message", "Undeliverable", "Nondeliverable", "Non-Delivery",
        "Non delivery", "Delayed Mail", "Warning: could not send message", "Warning--Could not send mail",
        "There was an error sending your mail", "FAILED MAIL", "failed delivery", "Email delivery failure",
        "Your message could not be delivered", "Your message couldn't be delivered", "Your message wasn't delivered",
        "Postfix SMTP server: errors from",

        // French.
        "Non remis", "Message non remis", "Échec de la remise", "Echec de la remise", "Échec de remise", "Echec de remise",
        "Échec de distribution", "Notification d'état de remise", "Rapport de non-remise", "Avis de non-remise",
        "Non distribuable", "Impossible de remettre", "Courrier non délivré", "Message non délivré", "Retour de courrier",
        "Erreur de distribution", "Remise différée",

        // German.
        "Unzustellbar", "Nicht zustellbar", "Zustellung fehlgeschlagen", "Fehler bei der Zustellung", "Zustellungsfehler",
        "Benachrichtigung über den Zustellungsstatus", "Übermittlungsstatusbenachrichtigung", "Übermittlungsfehler",
        "Mail-Zustellung fehlgeschlagen", "Nachricht konnte nicht zugestellt werden", "Rückläufer", "Zustellung verzögert",
        "Nicht übermittelt",

        // Spanish.
        "No se puede entregar", "No se pudo entregar", "No entregado", "No entregable", "Mensaje no entregado",
        "Notificación de estado de entrega", "Error en la entrega", "Entrega fallida", "Fallo en la entrega",
        "Correo devuelto", "Imposible entregar", "Devolución de correo", "Entrega retrasada",

        // Italian.
        "Non recapitabile", "Non recapitato", "Recapito non riuscito", "Mancato recapito", "Messaggio non recapitato",
        "Notifica sullo stato del recapito", "Notifica dello stato di recapito", "Impossibile recapitare",
        "Errore di consegna", "Consegna non riuscita", "Consegna fallita", "Posta non consegnata", "Recapito ritardato",

        // Portuguese.
        "Não é possível entregar", "Nao e possivel entregar", "Não entregue", "Mensagem não entregue",
        "Não foi possível entregar", "Notificação de status de entrega", "Notificação de estado de entrega",
        "Falha na entrega", "Falha de entrega", "Entrega falhou", "Mensagem devolvida", "Erro na entrega", "Entrega atrasada",

        // Dutch.
        "Onbestelbaar", "Niet bestelbaar", "Niet afgeleverd", "Bericht niet afgeleverd", "Kan niet worden bezorgd",
        "Niet bezorgd", "Bezorgingsstatusmelding", "Melding van bezorgstatus", "Onbezorgbaar", "Bezorging mislukt",
        "Afleveringsfout", "Vertraagde bezorging",

        // Polish.
        "Niedostarczona", "Niedostarczalne", "Niedostarczono", "Nie można dostarczyć", "Nie dostarczono",
        "Wiadomość niedostarczona", "Wiadomość nie została dostarczona", "Powiadomienie o stanie dostarczenia",
        "Raport o niedostarczeniu", "Błąd dostarczenia", "Zwrot poczty", "Niedoręczalne", "Nie można doręczyć",
        "Zwrócona poczta", "Opóźnione dostarczenie",

        // Japanese.
        "配信不能", "配送不能", "配達不能", "配信エラー", "配送エラー", "送信エラー", "配信状態の通知", "配信状態通知",
        "配送状態通知", "メール配送エラー", "エラーメール", "不達", "返送", "未配信", "配信失敗", "送信失敗",
        "配信できませんでした", "メールが届きませんでした", "配信の遅延", "配信遅延",

        // Chinese, simplified and traditional.
        "无法投递", "無法傳遞", "无法传递", "無法投遞", "退信", "系统退信", "系統退信", "退回的邮件", "退回的郵件",
        "邮件投递失败", "郵件傳遞失敗", "邮件无法送达", "郵件無法送達", "邮件未送达", "未送达", "未能送达", "投递失败",
        "投递状态通知", "传递状态通知", "傳遞狀態通知", "递送状态通知", "邮件发送失败", "郵件傳送失敗", "延迟投递", "延遲傳遞",

        // Russian, as Mail.Ru and Yandex write it.
        "Недоставленное сообщение", "Ваше сообщение не доставлено", "Не доставлено", "Сообщение не доставлено",
        "Ошибка доставки", "Уведомление о состоянии доставки", "Возврат почты",
    ];

    /// <summary>Returns the known bounce subject that starts <paramref name="subject"/>, or null.</summary>
    public static string? MatchBounce(string subject)
    {
        var trimmed = subject.TrimStart();
        foreach (var prefix in BouncePrefixes)
        {
            if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && EndsAtWordBoundary(trimmed, prefix.Length))
            {
                return prefix;
            }
        }

        return null;
    }

    /// <summary>True when the subject reads as an out-of-office or other automatic reply.</summary>
    public static bool IsAutoReply(string subject) => AutoReply().IsMatch(subject);

    /// <summary>True when the subject reads as a read receipt ("Read: ...", "Gelesen: ...").</summary>
    public static bool IsReadReceipt(string subject) => ReadReceipt().IsMatch(subject);

    /// <summary>True when the subject starts with a forward prefix ("Fwd:", "WG:", "TR:", "RV:").</summary>
    public static bool IsForward(string subject) => Forward().IsMatch(subject);

    private static bool EndsAtWordBoundary(string subject, int length)
    {
        // A Latin prefix ends at a word boundary ("Undeliverable" does not match "Undeliverables"),
        // but CJK prefixes need none.
        if (length >= subject.Length)
        {
            return true;
        }

        var last = subject[length - 1];
        var next = subject[length];
        return !char.IsAsciiLetterOrDigit(last) || !char.IsLetterOrDigit(next);
    }

    [GeneratedRegex(@"out of (?:the )?office|\bautomatic reply|\bauto[- ]?reply|\bautoreply|\bauto[- ]?respon|\bautomatic response|^auto:|\bvacation\b|\baway from (?:the )?office|\bon leave\b|abwesen|automatische antwort|r[ée]ponse automatique|\babsen(?:t|ce)\b|respuesta autom[aá]tica|fuera de (?:la )?oficina|\bausente\b|risposta automatica|fuori (?:sede|ufficio)|resposta autom[aá]tica|fora do escrit[oó]rio|automatisch antwoord|\bafwezig|automatyczna odpowied[zź]|autoodpowied[zź]|poza biurem|nieobecn|自動応答|自動返信|不在|自动回复|自動回覆|自动答复|автоответ|автоматический ответ|отсутств", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AutoReply();

    [GeneratedRegex(@"^\s*(?:read|gelesen|lu|le[ií]do|letto|lido|gelezen|przeczytan[ao]|odczytan[ao]|přečteno|luettu|læst|läst|прочитано|開封済み|已读|已讀|읽음)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadReceipt();

    [GeneratedRegex(@"^\s*(?:fwd?|fw|tr|wg|rv|enc|doorst|vs|vb|pd|i|rif|转发|轉寄|転送|пересл)\s*(?:\[\d+\])?\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Forward();
}
