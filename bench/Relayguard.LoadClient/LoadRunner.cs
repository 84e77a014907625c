using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Relayguard.LoadClient;

/// <summary>Runs the load: many sessions sending small messages, many idle sessions, or one large message.</summary>
public sealed class LoadRunner(LoadOptions options)
{
    private readonly string? _certificateHash = options.ServerCertificate is null
        ? null
        : X509Certificate2.CreateFromPem(File.ReadAllText(options.ServerCertificate)).GetCertHashString();

    private int _next;

    /// <summary>Sends <see cref="LoadOptions.Messages"/> messages over <see cref="LoadOptions.Sessions"/> sessions. Returns the counts sent and failed.</summary>
    public async Task<(int Sent, int Failed)> SendAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        var failed = 0;
        var body = new string('x', (int)Math.Max(0, options.Size - 2));
        var sessions = Enumerable.Range(0, options.Sessions).Select(async session =>
        {
            var message = Message(session, body);
            while (Interlocked.Increment(ref _next) <= options.Messages)
            {
                using var client = await ConnectAsync(cancellationToken);
                var onConnection = 1;
                while (true)
                {
                    try
                    {
                        await client.SendAsync(message, cancellationToken);
                        Interlocked.Increment(ref sent);
                    }
                    catch (SmtpCommandException ex)
                    {
                        Interlocked.Increment(ref failed);
                        await Console.Error.WriteLineAsync($"relayguard-load: refused: {(int)ex.StatusCode} {ex.Message}");
                    }

                    if (options.PerConnection > 0 && onConnection >= options.PerConnection)
                    {
                        break;
                    }

                    if (Interlocked.Increment(ref _next) > options.Messages)
                    {
                        break;
                    }

                    onConnection++;
                }

                await client.DisconnectAsync(true, cancellationToken);
            }
        });
        await Task.WhenAll(sessions);
        return (sent, failed);
    }

    /// <summary>
    /// Opens <see cref="LoadOptions.Sessions"/> sessions (EHLO, and STARTTLS and AUTH when asked), prints a line
    /// when all are open, keeps them idle for <see cref="LoadOptions.HoldSeconds"/>, then ends them with QUIT.
    /// Returns the number of sessions that were open.
    /// </summary>
    public async Task<int> HoldAsync(CancellationToken cancellationToken)
    {
        var clients = new List<SmtpClient>();
        try
        {
            for (var i = 0; i < options.Sessions; i += 50)
            {
                var batch = Enumerable.Range(i, Math.Min(50, options.Sessions - i)).Select(_ => ConnectAsync(cancellationToken));
                clients.AddRange(await Task.WhenAll(batch));
            }

            Console.WriteLine($"holding {clients.Count} sessions for {options.HoldSeconds} s");
            await Console.Out.FlushAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds), cancellationToken);
            return clients.Count;
        }
        finally
        {
            foreach (var client in clients)
            {
                try
                {
                    await client.DisconnectAsync(true, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or SmtpProtocolException or OperationCanceledException)
                {
                    // The server may already have closed an idle session.
                }

                client.Dispose();
            }
        }
    }

    /// <summary>Sends one message with a body of <see cref="LoadOptions.Size"/> octets. Returns whether it was accepted.</summary>
    public async Task<bool> SendBigAsync(CancellationToken cancellationToken)
    {
        using var client = await ConnectAsync(cancellationToken);
        var line = new string('y', 76) + "\r\n";
        var text = new StringBuilder((int)options.Size + line.Length);
        while (text.Length < options.Size)
        {
            text.Append(line);
        }

        var message = Message(0, text.ToString());
        try
        {
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return true;
        }
        catch (SmtpCommandException ex)
        {
            await Console.Error.WriteLineAsync($"relayguard-load: refused: {(int)ex.StatusCode} {ex.Message}");
            return false;
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient
        {
            // The bench certificate is self-signed, so it is pinned by its SHA-1 hash instead of checked against a CA.
            ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _certificateHash,
            LocalDomain = "load.bench.test",
        };
        await client.ConnectAsync(options.Host, options.Port, options.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
        if (options.User is not null)
        {
            await client.AuthenticateAsync(options.User, options.Password ?? string.Empty, cancellationToken);
        }

        return client;
    }

    private static MimeMessage Message(int session, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse($"load{session}@bench.test"));
        message.To.Add(MailboxAddress.Parse($"sink{session}@sink.test"));
        message.Subject = "relayguard bench";
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }
}
