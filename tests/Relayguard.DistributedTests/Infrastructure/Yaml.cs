using YamlDotNet.RepresentationModel;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Reads YAML files as YamlDotNet's node model and walks it by key.</summary>
public static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(document => document.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>Follows the keys from <paramref name="node"/>, and returns null when one is missing.</summary>
    public static YamlNode? At(YamlNode? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Text(YamlNode? node, params string[] keys) => (At(node, keys) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(YamlNode? node, params string[] keys) =>
        At(node, keys) is YamlSequenceNode sequence ? sequence.Children : [];
}
