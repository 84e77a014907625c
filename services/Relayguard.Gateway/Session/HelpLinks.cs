namespace Relayguard.Gateway.Session;

/// <summary>The help page address named in every refusal: <c>URL#CODE</c>.</summary>
public sealed class HelpLinks(string baseUrl)
{
    public string BaseUrl { get; } = baseUrl;

    public string For(string code) => $"{BaseUrl}#{code}";
}
