using SwarmEdge.Catalog;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>
/// The path middlewares YARP has no transform for: strip-prefix with several prefixes (the first that the path
/// starts with, at a segment boundary, is removed) and replace-path-regex. add-prefix and the header middlewares
/// are YARP's own transforms (PathPrefix, RequestHeader, ResponseHeader, ...).
/// </summary>
internal sealed class PathTransformFactory : ITransformFactory
{
    public const string StripPrefixesKey = "SwarmEdgeStripPrefixes";
    public const string PathRegexKey = "SwarmEdgePathRegex";
    public const string ReplacementKey = "Replacement";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        if (transformValues.ContainsKey(StripPrefixesKey))
        {
            return true;
        }

        if (transformValues.TryGetValue(PathRegexKey, out var pattern))
        {
            try
            {
                MiddlewareLabelParser.Compile(pattern);
            }
            catch (ArgumentException ex)
            {
                context.Errors.Add(ex);
            }

            if (!transformValues.ContainsKey(ReplacementKey))
            {
                context.Errors.Add(new ArgumentException($"{PathRegexKey} needs {ReplacementKey}"));
            }

            return true;
        }

        return false;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        if (transformValues.TryGetValue(StripPrefixesKey, out var list))
        {
            var prefixes = list.Split(',').Select(p => new PathString(p)).ToArray();
            context.AddRequestTransform(transform =>
            {
                foreach (var prefix in prefixes)
                {
                    if (transform.Path.StartsWithSegments(prefix, out var rest))
                    {
                        transform.Path = rest.HasValue ? rest : "/";
                        break;
                    }
                }

                return ValueTask.CompletedTask;
            });
            return true;
        }

        if (transformValues.TryGetValue(PathRegexKey, out var pattern))
        {
            var regex = MiddlewareLabelParser.Compile(pattern);
            var replacement = transformValues[ReplacementKey];
            context.AddRequestTransform(transform =>
            {
                var path = transform.Path.Value ?? "/";
                if (regex.IsMatch(path))
                {
                    var replaced = regex.Replace(path, replacement, 1);
                    transform.Path = new PathString(replaced.StartsWith('/') ? replaced : "/" + replaced);
                }

                return ValueTask.CompletedTask;
            });
            return true;
        }

        return false;
    }
}
