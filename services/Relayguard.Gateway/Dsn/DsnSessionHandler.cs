using Microsoft.Extensions.Options;
using MimeKit;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Dsn;

/// <summary>
/// The DSN listener's rules: only the provider's MTAs may deliver, no AUTH, and every message is read as a
/// bounce report before the 250, so a report the MTA handed over is never lost.
/// </summary>
public sealed class DsnSessionHandler : ISmtpSessionHandler
{
    private readonly DsnIntake _intake;
    private readonly IReadOnlyList<IpNetwork> _allowed;

    public DsnSessionHandler(DsnIntake intake, IOptions<DsnOptions> options)
    {
        _intake = intake;
        var ranges = options.Value.AllowedClients.Count > 0 ? options.Value.AllowedClients : DsnOptions.DefaultAllowedClients;
        _allowed = ranges.Select(IpNetwork.Parse).ToList();
    }

    public ValueTask<SmtpReply?> OnConnectedAsync(SmtpSessionContext session, CancellationToken cancellationToken)
    {
        if (_allowed.Any(n => n.Contains(session.RemoteEndPoint.Address)))
        {
            return ValueTask.FromResult<SmtpReply?>(null);
        }

        return ValueTask.FromResult<SmtpReply?>(new SmtpReply(554, "5.7.1", "This port takes bounce reports from the provider's mail servers only") { CloseConnection = true });
    }

    public ValueTask<SmtpReply> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(502, "5.5.1", "AUTH is not available on this port"));

    public ValueTask<SmtpReply> MailFromAsync(SmtpSessionContext session, SmtpTransaction transaction, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(250, "2.1.0", "OK"));

    public ValueTask<SmtpReply> RcptToAsync(SmtpSessionContext session, SmtpTransaction transaction, SmtpRecipient recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(250, "2.1.5", "OK"));

    public async ValueTask<SmtpReply> MessageAsync(SmtpSessionContext session, SmtpTransaction transaction, MessageData message, CancellationToken cancellationToken)
    {
        await using var stream = message.OpenRead();
        MimeMessage parsed;
        try
        {
            parsed = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException)
        {
            return new SmtpReply(550, "5.6.0", "The report is not a valid RFC 5322 message");
        }

        var result = await _intake.ProcessAsync(parsed);
        return new SmtpReply(250, "2.0.0", result.Matched ? $"Report for {result.GatewayMessageId} received" : "Report received");
    }

    public void OnTransactionAbandoned(SmtpSessionContext session, SmtpTransaction transaction, SmtpReply? refusal)
    {
    }

    public void OnDisconnected(SmtpSessionContext session)
    {
    }
}
