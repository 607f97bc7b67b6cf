# bash completion for tonghop(1) and tonghopd(8).
# Installed as share/bash-completion/completions/tonghop and .../tonghopd.

_tonghop() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
  local commands="submit enter form sync status history due review approve reopen watch plans plan catalogue report export"
  local global="--server --timeout --retries --spool --lang --help --version"
  case $prev in
    --lang) COMPREPLY=($(compgen -W "vi en" -- "$cur")); return ;;
    --format)
      if [ "${words[1]}" = export ]; then
        COMPREPLY=($(compgen -W "adx dhis2" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "table csv json html official" -- "$cur"))
      fi
      return ;;
    --output | --spool) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --server | --timeout | --retries | --unit | --period | --plan | --indicator | --id) return ;;
    --issuer-body | --number | --to | --place | --signer-title | --signer-name) return ;;
  esac
  if [ "$cword" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  local own=""
  case ${words[1]} in
    submit) own="--unit --period --plan --id" ;;
    enter) own="--unit --period --plan" ;;
    form) own="--plan --unit --period --output" ;;
    history) own="--unit --indicator --period --plan" ;;
    approve) own="--plan --period --unit --before-children" ;;
    reopen) own="--plan --period --unit --reason" ;;
    watch) own="--notify --unit --count --for" ;;
    due) own="--unit --plan --period --json" ;;
    review) own="--plan --period --unit --json" ;;
    plans) own="--unit" ;;
    plan) [ "$cword" -eq 2 ] && { COMPREPLY=($(compgen -W "show publish" -- "$cur")); return; }
          own="--unit --json" ;;
    catalogue) [ "$cword" -eq 2 ] && { COMPREPLY=($(compgen -W "publish" -- "$cur")); return; } ;;
    report) own="--plan --period --unit --by-child --approved-only --format --output --issuer-body --number --to --place
      --signer-title --signer-name" ;;
    export) own="--plan --period --unit --format --output" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$own $global" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

_tonghopd() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    --lang) COMPREPLY=($(compgen -W "vi en" -- "$cur")); return ;;
    --config | --endpoint-file | --notify-endpoint-file | --test-clock) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --db | --read-db | --bind | --batch | --db-timeout | --workers | --to-version | --as-of | --metrics-bind | --metrics) return ;;
    --unit | --public-key | --name | --since | --limit) return ;;
    --role) COMPREPLY=($(compgen -W "commune district province ministry admin" -- "$cur")); return ;;
    --secret-file | --secret-key-file | --succession) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "migrate serve import-units import-plan import-catalogue keygen enroll revoke keys audit status --help --version" -- "$cur"))
    return
  fi
  local own="--db --lang --help"
  case ${COMP_WORDS[1]} in
    migrate) own="$own --to-version" ;;
    serve) own="$own --config --read-db --bind --endpoint-file --notify-bind --notify-endpoint-file --metrics-bind --log-format --batch --db-timeout --workers --ingest-workers --max-open-per-client --secret-key-file --insecure --verbose --test-clock" ;;
    import-units) own="$own --as-of --complete --succession" ;;
    keygen) own="--secret-file --lang --help" ;;
    enroll) own="$own --unit --role --public-key --name" ;;
    revoke) own="$own --public-key" ;;
    audit) own="$own --unit --since --refused --limit" ;;
    status) own="$own --metrics" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$own" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

complete -F _tonghop tonghop
complete -F _tonghopd tonghopd
