using System.Globalization;

namespace Relayguard.LoadClient;

/// <summary>The command line of relayguard-load: <c>MODE --name value ...</c>.</summary>
public sealed class LoadOptions
{
    public string Mode { get; private init; } = "send";

    public string Host { get; private init; } = "127.0.0.1";

    public int Port { get; private init; } = 2525;

    /// <summary>SMTP sessions run at once.</summary>
    public int Sessions { get; private init; } = 20;

    /// <summary>Messages sent in all, shared out among the sessions.</summary>
    public int Messages { get; private init; } = 1000;

    /// <summary>Messages sent on one connection before it is closed and a new one opened; 0 keeps it for all.</summary>
    public int PerConnection { get; private init; }

    /// <summary>Octets of body text per message.</summary>
    public long Size { get; private init; } = 1024;

    public bool StartTls { get; private init; }

    /// <summary>PEM file of the server's certificate, which STARTTLS accepts and nothing else.</summary>
    public string? ServerCertificate { get; private init; }

    public string? User { get; private init; }

    public string? Password { get; private init; }

    /// <summary>How long <c>hold</c> keeps its sessions open.</summary>
    public int HoldSeconds { get; private init; } = 30;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("The first argument is the mode: send, hold or big.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}': options are written --name value.");
            }

            var name = args[i][2..];
            if (name == "starttls")
            {
                values[name] = "true";
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option --{name} needs a value.");
            }
        }

        if (values.ContainsKey("starttls") && !values.ContainsKey("server-cert"))
        {
            throw new ArgumentException("--starttls needs --server-cert FILE, the PEM certificate the server presents.");
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new LoadOptions
        {
            Mode = args[0],
            Host = values.GetValueOrDefault("host", "127.0.0.1"),
            Port = Int("port", 2525),
            Sessions = Int("sessions", 20),
            Messages = Int("messages", 1000),
            PerConnection = Int("per-connection", 0),
            Size = values.TryGetValue("size", out var size) ? long.Parse(size, CultureInfo.InvariantCulture) : 1024,
            StartTls = values.ContainsKey("starttls"),
            User = values.GetValueOrDefault("user"),
            Password = values.GetValueOrDefault("password"),
            HoldSeconds = Int("hold-seconds", 30),
            ServerCertificate = values.GetValueOrDefault("server-cert"),
        };
    }
}
