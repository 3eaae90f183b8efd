"""The words of rule 2's concepts in the languages the agent meets (de, en, fr, es, it, pl,
nl). They are one signal among several (agent/risks.py): a concept counts only where it
stands in the same or the next sentence as another one, next to validated IBANs, amounts,
deadlines, the sender's history and identity. Stems match at a word start, on folded text
(agent/fold.py: case-folded, look-alike letters as Latin).
"""

from __future__ import annotations

# bank details: an account is named
BANK = {
    "de": ["bankverbindung", "kontoverbindung", "kontodaten", "bankdaten", "empfängerkonto",
           "kontonummer", "zahlungsempfänger", "bankkonto", "iban", "bic"],
    "en": ["bank details", "bank account", "banking details", "account details",
           "account number", "payee", "beneficiary", "sort code", "routing number",
           "remittance details", "bank information", "bank info", "wire instructions"],
    "fr": ["coordonnées bancaires", "compte bancaire", "relevé d'identité bancaire", "rib",
           "numéro de compte", "bénéficiaire", "domiciliation bancaire"],
    "es": ["datos bancarios", "cuenta bancaria", "número de cuenta", "cuenta corriente",
           "beneficiario", "coordenadas bancarias"],
    "it": ["coordinate bancarie", "conto corrente", "dati bancari", "numero di conto",
           "beneficiario", "estremi bancari"],
    "pl": ["dane do przelewu", "numer konta", "numer rachunku", "rachunek bankowy",
           "konto bankowe", "dane bankowe", "rachunku bankowego"],
    "nl": ["bankgegevens", "rekeningnummer", "bankrekening", "rekeninggegevens", "begunstigde"],
}
# a plain "account": bank details only next to a payment
ACCOUNT = ["konto", "account", "compte", "cuenta", "conto", "rachunek", "rachunku", "rekening"]
CHANGE = {
    "de": ["neue", "neuen", "neuer", "neues", "geändert", "ändern", "änderung", "aktualisiert",
           "umgestellt", "gewechselt", "wechsel", "künftig", "zukünftig", "ab sofort",
           "ab jetzt", "nicht mehr", "ausschließlich", "stattdessen", "anderes konto"],
    "en": ["new", "changed", "change of", "updated", "switched", "moved", "no longer",
           "from now on", "henceforth", "going forward", "instead", "different account",
           "only use"],
    "fr": ["nouveau", "nouvelle", "nouvelles", "nouveaux", "changé", "changement", "modifié",
           "modification", "désormais", "dorénavant", "à compter", "ne plus", "plutôt"],
    "es": ["nuevo", "nueva", "nuevos", "nuevas", "cambiado", "cambio de", "actualizado",
           "a partir de ahora", "en adelante", "ya no", "en lugar"],
    "it": ["nuovo", "nuova", "nuove", "nuovi", "cambiato", "cambio", "modificato",
           "aggiornato", "d'ora in poi", "non più", "da ora", "invece"],
    "pl": ["nowy", "nowe", "nowego", "nowym", "nowa", "zmiana", "zmienił", "zmienion",
           "zaktualizowan", "od teraz", "od dziś", "już nie", "zamiast"],
    "nl": ["nieuw", "nieuwe", "gewijzigd", "wijziging", "veranderd", "bijgewerkt", "voortaan",
           "vanaf nu", "niet meer", "in plaats"],
}
# the change words that are forms of "new": a change of bank details only where they
# describe the account itself ("unsere neue Bankverbindung", "our new account"), not a new
# payment on it ("ein neuer Zahlungseingang auf Ihrem Konto")
NEW = ["neue", "neuen", "neuer", "neues", "new", "nouveau", "nouvelle", "nouvelles",
       "nouveaux", "nuevo", "nueva", "nuevos", "nuevas", "nuovo", "nuova", "nuove", "nuovi",
       "nowy", "nowe", "nowego", "nowym", "nowa", "nieuw", "nieuwe"]
PAY = {
    "de": ["überweis", "zahlung", "zahlen", "bezahl", "begleichen", "betrag", "geld",
           "anweisen", "einzahl"],
    "en": ["pay", "payment", "transfer", "wire", "remit", "settle", "funds", "amount due"],
    "fr": ["virement", "virer", "payer", "paiement", "régler", "verser", "versement", "montant"],
    "es": ["transferencia", "transferir", "pagar", "pago", "abonar", "importe", "ingresar",
           "ingreso"],
    "it": ["bonifico", "pagare", "pagamento", "versare", "versamento", "importo", "saldare"],
    "pl": ["przelew", "przelać", "zapłać", "zapłaty", "płatność", "płatności", "wpłat", "kwot"],
    "nl": ["overmaken", "overboeking", "overschrijving", "betalen", "betaling", "storten",
           "bedrag"],
}
URGENT = {
    "de": ["dringend", "eilig", "sofort", "umgehend", "heute noch", "noch heute",
           "unverzüglich", "vertraulich", "diskret", "schnellstmöglich", "keine zeit"],
    "en": ["urgent", "asap", "immediately", "right away", "today", "confidential",
           "discreet", "as soon as possible", "quickly", "time-sensitive"],
    "fr": ["urgent", "immédiatement", "aujourd'hui", "confidentiel", "discret", "rapidement",
           "au plus vite", "sans délai", "dès que possible"],
    "es": ["urgente", "inmediatamente", "hoy", "confidencial", "discreto", "cuanto antes",
           "lo antes posible", "de inmediato"],
    "it": ["urgente", "immediatamente", "oggi", "riservat", "confidenziale", "subito",
           "al più presto", "quanto prima"],
    "pl": ["pilne", "pilnie", "natychmiast", "dzisiaj", "dziś", "poufn", "jak najszybciej",
           "niezwłocznie"],
    "nl": ["dringend", "spoed", "onmiddellijk", "vandaag", "vertrouwelijk", "zo snel mogelijk",
           "meteen"],
}
CREDENTIAL = {
    "de": ["passwort", "passwörter", "kennwort", "zugangsdaten", "logindaten", "anmeldedaten",
           "bestätigungscode", "sicherheitscode", "einmalcode", "einmal-code", "zugangscode"],
    "en": ["password", "passcode", "credentials", "login details", "verification code",
           "security code", "one-time code", "one time code", "otp", "2fa", "mfa",
           "two-factor", "zwei-faktor", "login"],
    "fr": ["mot de passe", "identifiants", "code de vérification", "code de sécurité",
           "code à usage unique"],
    "es": ["contraseña", "credenciales", "código de verificación", "clave de acceso",
           "código de seguridad"],
    "it": ["credenziali", "codice di verifica", "codice di sicurezza", "parola d'ordine"],
    "pl": ["hasło", "hasła", "dane logowania", "kod weryfikacyjny", "kod bezpieczeństwa",
           "kod jednorazowy"],
    "nl": ["wachtwoord", "inloggegevens", "verificatiecode", "beveiligingscode"],
}
ASK = {
    "de": ["send", "schick", "mitteil", "nennen", "bestätigen sie", "geben sie", "zukommen",
           "übermittel", "brauchen wir", "benötigen wir", "teilen sie", "antworten sie mit",
           "eingeben", "klicken sie", "melden sie sich", "verifizier", "reaktivier",
           "weiterleit", "weitergeb", "durchgeb"],
    "en": ["send", "provide", "share", "confirm your", "verify", "tell us", "reply with",
           "enter your", "we need", "need your", "click", "log in", "login here", "update your",
           "forward", "pass on", "read out"],
    "fr": ["envoy", "communiqu", "confirmer", "confirmez", "indiquer", "indiquez", "fournir",
           "fournissez", "transmett", "avons besoin", "cliquez", "vérifiez"],
    "es": ["enviar", "envíe", "envíenos", "confirme", "confirmar", "facilit", "proporcion",
           "necesitamos", "indique", "haga clic", "verifique"],
    "it": ["inviare", "inviate", "invii", "comunica", "conferma", "fornire", "fornisca",
           "indicare", "indichi", "abbiamo bisogno", "clicca", "verifica"],
    "pl": ["prześlij", "przesłać", "wyślij", "podaj", "potwierdź", "przekaż", "potrzebujemy",
           "kliknij", "zweryfikuj"],
    "nl": ["stuur", "sturen", "verstrek", "bevestig", "deel uw", "geef", "doorgeven",
           "hebben nodig", "klik", "verifieer"],
}
# a sentence that says it will not be asked for (banks' standard warning)
NEVER = ["niemals", "nie", "never", "will not", "won't", "do not", "don't", "nicht", "jamais",
         "nunca", "non chiederemo", "nigdy", "nooit"]
