using MimeKit;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// Writes accepted messages to DATA/pickup as .eml files when no upstream is configured (loopback only:
/// for trying the gateway out, not for delivery). Each file appears whole, by a rename.
/// </summary>
public sealed class PickupRelay(string directory) : IMessageRelay
{
    public string Directory { get; } = directory;

    public async Task<RelayResult> RelayAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, $"{message.GatewayId}.eml");
        var temporary = final + ".tmp";
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            var envelope = $"X-Relayguard-Envelope-From: <{message.ReversePath}>\r\nX-Relayguard-Envelope-To: {string.Join(", ", message.Recipients.Select(r => $"<{r.Address}>"))}\r\n";
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(envelope), cancellationToken);
            await message.Message.WriteToAsync(options, file, cancellationToken);
        }

        File.Move(temporary, final);
        return new RelayResult(true, new SmtpReply(250, "2.0.0", $"Message accepted as {message.GatewayId}"), [], $"written to {final}");
    }
}
