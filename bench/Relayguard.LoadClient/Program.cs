using System.Diagnostics;
using System.Globalization;
using Relayguard.LoadClient;

// relayguard-load: a MailKit SMTP load client for the bench scripts. MailKit pipelines MAIL, RCPT and DATA
// (RFC 2920) when the server offers PIPELINING. Aim it only at a server of your own on loopback.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"relayguard-load: {ex.Message}");
    Console.Error.WriteLine("usage: relayguard-load send|hold|big --port N [--host H] [--sessions N] [--messages N] [--per-connection N] [--size OCTETS] [--starttls --server-cert PEM] [--user U --password P] [--hold-seconds N]");
    return 2;
}

using var stopping = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var runner = new LoadRunner(options);
var watch = Stopwatch.StartNew();
switch (options.Mode)
{
    case "send":
    {
        var (sent, failed) = await runner.SendAsync(stopping.Token);
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent={sent} failed={failed} seconds={seconds:0.000} rate={sent / seconds:0.0}"));
        return failed == 0 ? 0 : 1;
    }

    case "hold":
    {
        var held = await runner.HoldAsync(stopping.Token);
        return held == options.Sessions ? 0 : 1;
    }

    case "big":
    {
        var ok = await runner.SendBigAsync(stopping.Token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"size={options.Size} accepted={ok} seconds={watch.Elapsed.TotalSeconds:0.000}"));
        return ok ? 0 : 1;
    }

    default:
        Console.Error.WriteLine($"relayguard-load: unknown mode '{options.Mode}': use send, hold or big.");
        return 2;
}
